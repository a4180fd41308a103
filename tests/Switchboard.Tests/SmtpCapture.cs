using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Switchboard.Tests;

/// <summary>A message a <see cref="SmtpCapture"/> accepted, with its SMTP envelope.</summary>
internal sealed record CapturedMail(string MailFrom, IReadOnlyList<string> RcptTo, MimeMessage Message, string Raw);

/// <summary>
/// A real SMTP server (the SmtpServer package) on 127.0.0.1 that keeps every message it accepts,
/// standing in for the operator's mail relay. <see cref="Answer"/> can make it refuse messages.
/// </summary>
internal sealed class SmtpCapture : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private int _offered;

    private SmtpCapture(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("capture.test")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>The settings that point a hub at this server.</summary>
    public string[] HubSettings => ["--Email:Host=127.0.0.1", $"--Email:Port={Port}", "--Email:Security=none", "--Email:From=Switchboard <events@hub.test>"];

    public ConcurrentQueue<CapturedMail> Messages { get; } = new();

    /// <summary>Messages offered so far (accepted or not).</summary>
    public int Offered => Volatile.Read(ref _offered);

    /// <summary>Decides the reply to the n-th message offered (1-based); null accepts it.</summary>
    public Func<int, SmtpResponse?>? Answer { get; set; }

    /// <summary>Starts a server on <paramref name="port"/>, or on a free port.</summary>
    public static async Task<SmtpCapture> StartAsync(int? port = null)
    {
        var capture = new SmtpCapture(port ?? FreePort());
        // The listener binds on start: wait until a connection is accepted.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, capture.Port);
                return capture;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>A port nothing listens on (for a while): where a hub finds its SMTP server down.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task<List<CapturedMail>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Messages.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The SMTP server got {Messages.Count} messages, not {count}.");
            }
            await Task.Delay(20);
        }
        return [.. Messages];
    }

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store(SmtpCapture capture) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref capture._offered);
            if (capture.Answer?.Invoke(n) is { } refusal)
            {
                return refusal;
            }
            var raw = buffer.ToArray();
            using var stream = new MemoryStream(raw);
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            capture.Messages.Enqueue(new CapturedMail(
                transaction.From.AsAddress(), [.. transaction.To.Select(t => t.AsAddress())], message, System.Text.Encoding.UTF8.GetString(raw)));
            return SmtpResponse.Ok;
        }
    }
}
