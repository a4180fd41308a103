using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Tests;

/// <summary>A request a <see cref="Receiver"/> got.</summary>
internal sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    private int _answeredWith;

    /// <summary>The status it was answered with; 0 while it is not answered yet, -1 when the connection went before the answer.</summary>
    public int AnsweredWith
    {
        get => Volatile.Read(ref _answeredWith);
        set => Volatile.Write(ref _answeredWith, value);
    }
}

/// <summary>A real HTTP receiver on 127.0.0.1 (Kestrel) standing in for a customer's callback URL.</summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Receiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>The status every request is answered with.</summary>
    public int Status { get; set; } = 200;

    /// <summary>How long the receiver waits before answering.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>When set, decides each answer (status and headers) instead of <see cref="Status"/>.</summary>
    public Func<ReceivedRequest, (int Status, IReadOnlyDictionary<string, string>? Headers)>? Answer { get; set; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    private int _inFlight;
    private int _maxInFlight;

    /// <summary>The most requests this receiver was answering at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Requests it is answering now (waiting out <see cref="Delay"/>).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The requests that carried events (not the <c>{"test": 1}</c> verification).</summary>
    public IEnumerable<ReceivedRequest> Events => Requests.Where(r => !(r.Headers.TryGetValue("webhook-id", out var id) && id.StartsWith("test_", StringComparison.Ordinal)));

    /// <summary>Waits until <paramref name="done"/> holds for the requests so far; fails after <paramref name="timeout"/> (default 20 s).</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<ReceivedRequest>, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!done([.. Events]))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The receiver did not get {what ?? "what was expected"}; it got {Events.Count()} events.");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Waits for at least <paramref name="count"/> event requests.</summary>
    public Task WaitForEventsAsync(int count, TimeSpan? timeout = null) => WaitForAsync(r => r.Count >= count, timeout, $"{count} events");

    public static async Task<Receiver> StartAsync(int status = 200)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new Receiver(app) { Status = status };
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var request = new ReceivedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body);
            receiver.Requests.Enqueue(request);
            var inFlight = Interlocked.Increment(ref receiver._inFlight);
            for (var max = receiver.MaxInFlight; inFlight > max; max = receiver.MaxInFlight)
            {
                Interlocked.CompareExchange(ref receiver._maxInFlight, inFlight, max);
            }
            try
            {
                if (receiver.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(receiver.Delay, context.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
                request.AnsweredWith = -1;
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref receiver._inFlight);
            }
            var (status, headers) = receiver.Answer?.Invoke(request) ?? (receiver.Status, null);
            request.AnsweredWith = status;
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }
        });
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
