using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Switchboard.Tests;

/// <summary>How a <see cref="FaultyReceiver"/> misbehaves.</summary>
public enum ReceiverFault
{
    /// <summary>Accepts the connection, reads the request, never answers.</summary>
    Hangs,

    /// <summary>Reads the request and resets the connection (RST) instead of answering.</summary>
    Resets,

    /// <summary>Answers <c>200 OK</c> one byte per second.</summary>
    Trickles,

    /// <summary>Answers <c>500</c> with a 50 MB body.</summary>
    AnswersFiftyMegabytes,

    /// <summary>Answers <c>500</c> announcing a 1 MB body, sends a line of it and closes the connection.</summary>
    BreaksOffItsAnswer,

    /// <summary>Answers <c>200</c> announcing a 1 MB body, sends a line of it and closes the connection.</summary>
    BreaksOffItsOk,

    /// <summary>An https URL whose server answers the TLS ClientHello with a fatal handshake_failure alert.</summary>
    FailsTheTlsHandshake,

    /// <summary>An https URL whose server presents a certificate for another host name.</summary>
    PresentsAWrongHostCertificate,

    /// <summary>An https URL whose server presents a certificate for its own address that expired yesterday.</summary>
    PresentsAnExpiredCertificate,

    /// <summary>A host name that resolves to nothing (<c>.invalid</c>, RFC 6761): no server at all.</summary>
    DoesNotResolve,
}

/// <summary>
/// A callback receiver that is broken the way receivers on the internet are: a raw socket on
/// 127.0.0.1 (no web server to be polite on its behalf) that does one wrong thing to every
/// connection. The TLS ones present certificates made here with <see cref="CertificateRequest"/>,
/// which nothing trusts: the hub must refuse them.
/// </summary>
internal sealed class FaultyReceiver : IAsyncDisposable
{
    public const int FiftyMegabytes = 50 * 1024 * 1024;

    private readonly TcpListener? _listener;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting = Task.CompletedTask;
    private long _bytesSent;
    private int _wholeAnswers;
    private int _requests;

    private FaultyReceiver(ReceiverFault fault)
    {
        Fault = fault;
        if (fault == ReceiverFault.DoesNotResolve)
        {
            Url = "http://callback.switchboard-test.invalid/hook";
            return;
        }
        _certificate = fault switch
        {
            ReceiverFault.PresentsAWrongHostCertificate => Certificate("wrong-host.example", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)),
            ReceiverFault.PresentsAnExpiredCertificate => Certificate("127.0.0.1", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1)),
            _ => null,
        };
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var tls = fault is ReceiverFault.FailsTheTlsHandshake or ReceiverFault.PresentsAWrongHostCertificate or ReceiverFault.PresentsAnExpiredCertificate;
        Url = $"{(tls ? "https" : "http")}://127.0.0.1:{port}/hook";
        _accepting = AcceptAsync();
    }

    public ReceiverFault Fault { get; }

    public string Url { get; }

    /// <summary>Requests read in full (the TLS receivers never get one).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Bytes of answers this receiver managed to write (into its socket's buffers) before the hub hung up, over all connections.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Answers written to their end: the hub did not hang up before.</summary>
    public int WholeAnswers => Volatile.Read(ref _wholeAnswers);

    public static FaultyReceiver Start(ReceiverFault fault) => new(fault);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener!.AcceptTcpClientAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(ServeAsync(client));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var token = _stop.Token;
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                switch (Fault)
                {
                    case ReceiverFault.Hangs:
                        await ReadRequestAsync(stream, token);
                        await Task.Delay(Timeout.Infinite, token);
                        break;
                    case ReceiverFault.Resets:
                        await ReadRequestAsync(stream, token);
                        // Linger 0: closing sends RST, not FIN.
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Client.Close();
                        break;
                    case ReceiverFault.Trickles:
                        await ReadRequestAsync(stream, token);
                        foreach (var b in "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray())
                        {
                            await stream.WriteAsync(new[] { b }, token);
                            Interlocked.Increment(ref _bytesSent);
                            await Task.Delay(TimeSpan.FromSeconds(1), token);
                        }
                        break;
                    case ReceiverFault.AnswersFiftyMegabytes:
                        await ReadRequestAsync(stream, token);
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: {FiftyMegabytes}\r\n\r\n"), token);
                        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("the receiver is broken; ", 64 * 1024 / 24 + 1)))[..(64 * 1024)];
                        for (var sent = 0; sent < FiftyMegabytes; sent += chunk.Length)
                        {
                            await stream.WriteAsync(chunk, token);
                            Interlocked.Add(ref _bytesSent, chunk.Length);
                        }
                        Interlocked.Increment(ref _wholeAnswers);
                        break;
                    case ReceiverFault.BreaksOffItsAnswer or ReceiverFault.BreaksOffItsOk:
                        await ReadRequestAsync(stream, token);
                        var status = Fault == ReceiverFault.BreaksOffItsOk ? "200 OK" : "500 Internal Server Error";
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: 1048576\r\n\r\nthe receiver is broken\n"), token);
                        break;
                    case ReceiverFault.FailsTheTlsHandshake:
                        // The ClientHello, then a fatal alert: handshake_failure (RFC 8446, 6.2), as a server with no cipher in common says it.
                        _ = await stream.ReadAsync(new byte[16 * 1024], token);
                        await stream.WriteAsync(new byte[] { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 }, token);
                        break;
                    default:
                        await using (var tls = new SslStream(stream))
                        {
                            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, token);
                            await ReadRequestAsync(tls, token);
                        }
                        break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // The hub hung up, or the test ended.
        }
    }

    /// <summary>Reads a request's head and its Content-Length body.</summary>
    private async Task ReadRequestAsync(Stream stream, CancellationToken token)
    {
        var received = new List<byte>();
        var buffer = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOfBlankLine(received)) < 0)
        {
            var read = await stream.ReadAsync(buffer, token);
            if (read == 0)
            {
                throw new IOException("closed before the request's head ended");
            }
            received.AddRange(buffer.AsSpan(0, read));
        }
        var head = Encoding.ASCII.GetString([.. received.Take(headEnd)]);
        var length = head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        for (var left = length - (received.Count - headEnd - 4); left > 0;)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, left)), token);
            if (read == 0)
            {
                throw new IOException("closed before the request's body ended");
            }
            left -= read;
        }
        Interlocked.Increment(ref _requests);
    }

    private static int IndexOfBlankLine(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>A self-signed certificate for <paramref name="host"/> (a DNS name or an IP address), valid between the two times.</summary>
    private static X509Certificate2 Certificate(string host, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(host, out var address))
        {
            names.AddIpAddress(address);
        }
        else
        {
            names.AddDnsName(host);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        // Through PKCS#12, so the server side has its private key on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll(connections);
        _certificate?.Dispose();
        _stop.Dispose();
    }
}
