using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Switchboard.Tests;

/// <summary>A message a <see cref="SmtpCapture"/> accepted, with its SMTP envelope.</summary>
internal sealed record CapturedMail(string MailFrom, IReadOnlyList<string> RcptTo, MimeMessage Message, string Raw, bool Secure, string? User);

/// <summary>
/// How a <see cref="SmtpCapture"/> offers TLS: from the first byte (<paramref name="Implicit"/>, port-465 style) or
/// by STARTTLS; with <paramref name="Login"/> it also demands that user and password.
/// </summary>
internal sealed record SmtpTls(X509Certificate2 Certificate, bool Implicit, NetworkCredential? Login = null);

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

    private SmtpCapture(int port, SmtpTls? tls)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("capture.test")
            .Endpoint(b =>
            {
                b.Endpoint(new IPEndPoint(IPAddress.Loopback, port));
                if (tls is not null)
                {
                    b.Certificate(tls.Certificate).IsSecure(tls.Implicit).AuthenticationRequired(tls.Login is not null);
                }
            })
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        if (tls?.Login is { } login)
        {
            services.Add(new DelegatingUserAuthenticator((user, password) => user == login.UserName && password == login.Password));
        }
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
    public static async Task<SmtpCapture> StartAsync(int? port = null, SmtpTls? tls = null)
    {
        var capture = new SmtpCapture(port ?? FreePort(), tls);
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
                transaction.From.AsAddress(), [.. transaction.To.Select(t => t.AsAddress())], message, System.Text.Encoding.UTF8.GetString(raw),
                context.Pipe.IsSecure, context.Authentication.IsAuthenticated ? context.Authentication.User : null));
            return SmtpResponse.Ok;
        }
    }
}
