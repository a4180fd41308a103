using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Api;

/// <summary>
/// The response body, written through unchanged, with a copy of it kept only when the status is
/// not 2xx: the <c>@error</c> envelope an api-error report carries (api.md, Errors). A successful
/// answer costs one forwarding call per write and copies nothing.
/// </summary>
internal sealed class ErrorResponseCapture(IHttpResponseBodyFeature inner, HttpResponse response, int cap) : PipeWriter, IHttpResponseBodyFeature
{
    private readonly PipeWriter _writer = inner.Writer;
    private Memory<byte> _lastMemory;
    private Stream? _stream;
    private ArrayBufferWriter<byte>? _captured;

    /// <summary>The error body written so far (at most the cap).</summary>
    public ReadOnlySpan<byte> Captured => _captured is null ? default : _captured.WrittenSpan;

    Stream IHttpResponseBodyFeature.Stream => _stream ??= AsStream(leaveOpen: true);

    PipeWriter IHttpResponseBodyFeature.Writer => this;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        inner.SendFileAsync(path, offset, count, cancellationToken);

    Task IHttpResponseBodyFeature.CompleteAsync() => inner.CompleteAsync();

    public override Memory<byte> GetMemory(int sizeHint = 0) => _lastMemory = _writer.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        Keep(_lastMemory.Span[..bytes]);
        _lastMemory = _lastMemory[bytes..];
        _writer.Advance(bytes);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        Keep(source.Span);
        return _writer.WriteAsync(source, cancellationToken);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => _writer.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => _writer.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => _writer.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => _writer.CompleteAsync(exception);

    public override bool CanGetUnflushedBytes => _writer.CanGetUnflushedBytes;

    public override long UnflushedBytes => _writer.UnflushedBytes;

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        // The status is fixed once the body is being written.
        if (bytes.IsEmpty || response.StatusCode is >= 200 and < 300)
        {
            return;
        }
        _captured ??= new ArrayBufferWriter<byte>(256);
        var room = cap - _captured.WrittenCount;
        if (room > 0)
        {
            _captured.Write(bytes[..Math.Min(room, bytes.Length)]);
        }
    }
}
