using System.Buffers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Switchboard.Bench;

/// <summary>
/// The callback URL of every bench listener: a bare Kestrel app on 127.0.0.1 that answers 200 at
/// once and, per request, only finds the send time in the body (no JSON parse) to count the event
/// and its latency in the current <see cref="Tally"/>.
/// </summary>
internal sealed class BenchReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private ReceiverTally _tally = new(0);
    private int _inFlight;
    private int _peakInFlight;

    private BenchReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>Cancelled when the receiver's host is asked to stop: its console lifetime takes Ctrl+C and SIGTERM.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>Where requests are counted from now on: a new one per phase.</summary>
    public ReceiverTally Tally
    {
        get => Volatile.Read(ref _tally);
        set => Volatile.Write(ref _tally, value);
    }

    /// <summary>Most requests that were being answered at once so far.</summary>
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    public void ResetPeakInFlight() => Volatile.Write(ref _peakInFlight, 0);

    public static async Task<BenchReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new BenchReceiver(app);
        app.Run(receiver.AnswerAsync);
        await app.StartAsync(cancellationToken);
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/bench";
        return receiver;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var receivedNs = BenchClock.NowNs;
        var inFlight = Interlocked.Increment(ref _inFlight);
        int peak;
        while (inFlight > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, inFlight, peak) != peak)
        {
        }
        try
        {
            var body = context.Request.BodyReader;
            var read = await body.ReadAsync(context.RequestAborted);
            while (!read.IsCompleted)
            {
                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                read = await body.ReadAsync(context.RequestAborted);
            }
            var buffer = read.Buffer;
            var sentAt = buffer.IsSingleSegment ? CallActivities.SentAtOf(buffer.FirstSpan) : CallActivities.SentAtOf(buffer.ToArray());
            body.AdvanceTo(buffer.End);
            Tally.Record(sentAt, receivedNs);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
