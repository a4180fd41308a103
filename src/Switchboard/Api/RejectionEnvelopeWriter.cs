using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Switchboard.Api;

/// <summary>
/// A connection's output as Kestrel writes it, with the <c>@error</c> envelope put into the
/// answers Kestrel gives on its own, before the app sees the request (a malformed request line,
/// headers too large or too slow, …): Kestrel sends those with no body and offers no way to add
/// one. While the app handles a request its answer passes straight through; in between, what
/// Kestrel writes is held until it flushes, and a head with <c>Content-Length: 0</c> and an error
/// status gets the envelope as its body. Kestrel closes the connection after such an answer, so
/// nothing that follows depends on its length.
/// </summary>
internal sealed class RejectionEnvelopeWriter(PipeWriter inner, Func<int, byte[]> envelope) : PipeWriter
{
    private static readonly byte[] EmptyLength = "\r\nContent-Length: 0\r\n"u8.ToArray();

    private readonly ArrayBufferWriter<byte> _held = new(256);
    private int _appRequests;
    private bool _holding;

    /// <summary>The app took a request on this connection; its answer is its own until <see cref="AppDone"/>.</summary>
    public void AppStarted() => Interlocked.Increment(ref _appRequests);

    /// <summary>The app's answer is written and flushed (it is called from the response's OnCompleted).</summary>
    public void AppDone() => Interlocked.Decrement(ref _appRequests);

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        // Once holding, hold until the flush, so that bytes reach the connection in the order written.
        _holding = _held.WrittenCount > 0 || Volatile.Read(ref _appRequests) == 0;
        return _holding ? _held.GetMemory(Math.Max(sizeHint, 1)) : inner.GetMemory(sizeHint);
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        if (_holding)
        {
            _held.Advance(bytes);
        }
        else
        {
            inner.Advance(bytes);
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Release();
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        Release();
        inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Release();
        return inner.CompleteAsync(exception);
    }

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + _held.WrittenCount;

    /// <summary>Passes what was held on to the connection, with the envelope added to a bodiless error answer.</summary>
    private void Release()
    {
        if (_held.WrittenCount == 0)
        {
            return;
        }
        var held = _held.WrittenSpan;
        if (BodilessErrorStatus(held) is { } status)
        {
            var body = envelope(status);
            var at = held.IndexOf(EmptyLength) + 2;
            inner.Write(held[..at]);
            inner.Write(Encoding.ASCII.GetBytes($"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n"));
            inner.Write(held[(at + EmptyLength.Length - 2)..]);
            inner.Write(body);
        }
        else
        {
            inner.Write(held);
        }
        _held.ResetWrittenCount();
        _holding = false;
    }

    /// <summary>The status of a whole HTTP/1.x response head for a 4xx or 5xx with an empty body, else null.</summary>
    private static int? BodilessErrorStatus(ReadOnlySpan<byte> held)
    {
        if (held.Length < 16 || !(held.StartsWith("HTTP/1.1 "u8) || held.StartsWith("HTTP/1.0 "u8)) || !held.EndsWith("\r\n\r\n"u8))
        {
            return null;
        }
        var head = held[..^2];
        if (head.IndexOf("\r\n\r\n"u8) >= 0 || head.IndexOf(EmptyLength) < 0)
        {
            return null;
        }
        var code = held.Slice(9, 3);
        if (code[0] is not ((byte)'4' or (byte)'5') || !char.IsAsciiDigit((char)code[1]) || !char.IsAsciiDigit((char)code[2]))
        {
            return null;
        }
        return ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
    }
}
