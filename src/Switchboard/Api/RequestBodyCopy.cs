using System.Buffers;
using System.IO.Pipelines;

namespace Switchboard.Api;

/// <summary>
/// The request body, passed through unchanged while its first <c>cap</c> bytes are kept, so the
/// api-error report of a failed request can show what was sent (api.md, Errors). Handlers read
/// bodies once; nothing is buffered beyond the cap.
/// </summary>
internal sealed class RequestBodyCopy(Stream inner, int cap) : Stream
{
    private byte[]? _copy;
    private int _copied;

    /// <summary>Bytes read through this stream, including those past the cap.</summary>
    public long BytesSeen { get; private set; }

    /// <summary>The end of the body was reached.</summary>
    public bool Ended { get; private set; }

    /// <summary>More bytes were seen than kept.</summary>
    public bool Truncated => BytesSeen > _copied;

    /// <summary>A copy of the bytes kept.</summary>
    public byte[] Copy() => _copy is null ? [] : _copy.AsSpan(0, _copied).ToArray();

    /// <summary>
    /// Keeps what of the body already arrived but was never read (a request refused before its
    /// body was looked at). Never waits for the client: only bytes already received are taken.
    /// </summary>
    public void TakeReceived(PipeReader received)
    {
        if (Ended || _copied >= cap)
        {
            return;
        }
        try
        {
            if (received.TryRead(out var result))
            {
                foreach (var segment in result.Buffer)
                {
                    Keep(segment.Span);
                }
                Ended = result.IsCompleted;
                // Consumed: the server would drain and drop these bytes after the answer anyway.
                received.AdvanceTo(result.Buffer.End);
            }
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidOperationException or IOException or ObjectDisposedException)
        {
            // A body over the size limit, or a reader already completed: the report goes without it.
        }
    }

    /// <summary>Gives the copy buffer back to the pool.</summary>
    public void Release()
    {
        if (_copy is { } copy)
        {
            _copy = null;
            _copied = 0;
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Seen(buffer[..read], asked: buffer.Length);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Seen(buffer.Span[..read], asked: buffer.Length);
        return read;
    }

    private void Seen(ReadOnlySpan<byte> read, int asked)
    {
        // A read of nothing into room for something is the end of the body.
        Ended |= read.IsEmpty && asked > 0;
        Keep(read);
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        BytesSeen += bytes.Length;
        var room = cap - _copied;
        if (room <= 0)
        {
            return;
        }
        _copy ??= ArrayPool<byte>.Shared.Rent(cap);
        var kept = bytes[..Math.Min(room, bytes.Length)];
        kept.CopyTo(_copy.AsSpan(_copied));
        _copied += kept.Length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
