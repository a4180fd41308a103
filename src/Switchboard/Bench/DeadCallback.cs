using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.Bench;

/// <summary>
/// The URL of a callback that dies once it is created (<c>bench --dead-callbacks</c>): a socket on
/// 127.0.0.1 that answers the one verification request, then accepts nothing more with its accept
/// queue full. A new connection to it is then neither accepted nor refused — the kernel drops its
/// SYN (Linux) — so every request to it times out connecting, as to a host that is gone.
/// </summary>
internal sealed class DeadCallback : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _queue = [];

    private DeadCallback(Socket listener)
    {
        _listener = listener;
        Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}/dead";
    }

    public string Url { get; }

    /// <summary>Listening, with room for no connection beyond the one being accepted.</summary>
    public static DeadCallback Start()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        return new DeadCallback(listener);
    }

    /// <summary>Accepts one connection and answers its request 200: the callback's verification (api.md, Callbacks).</summary>
    public async Task AnswerVerificationAsync(CancellationToken cancellationToken)
    {
        using var connection = await _listener.AcceptAsync(cancellationToken);
        var buffer = new byte[16 * 1024];
        var received = new StringBuilder();
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await connection.ReceiveAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return;
            }
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        // The test request's body is a few bytes; it may stay unread, since the connection closes.
        await connection.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), cancellationToken);
        connection.Shutdown(SocketShutdown.Both);
    }

    /// <summary>
    /// Fills the accept queue with connections of its own that are never accepted, until one more
    /// does not get through within 200 ms: from then on connections to it time out.
    /// </summary>
    public async Task DieAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < 8; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _queue.Add(filler);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                await filler.ConnectAsync(_listener.LocalEndPoint!, wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
        throw new BenchException("a dead callback's socket kept accepting connections into its queue; --dead-callbacks needs Linux's behaviour of a full accept queue (SYNs dropped)");
    }

    public void Dispose()
    {
        foreach (var socket in _queue)
        {
            socket.Dispose();
        }
        _listener.Dispose();
    }
}
