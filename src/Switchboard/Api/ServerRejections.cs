using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Switchboard.Api;

/// <summary>
/// api.md, Errors: every answer that is not 2xx has the <c>@error</c> envelope, also those Kestrel
/// gives before the app sees the request (<see cref="RejectionEnvelopeWriter"/>), with a message
/// naming the limit or the fault.
/// </summary>
internal static class ServerRejections
{
    /// <summary>Puts every connection's output through a <see cref="RejectionEnvelopeWriter"/>.</summary>
    public static void UseRejectionEnvelope(this ListenOptions listen, KestrelServerLimits limits, TimeProvider time)
    {
        listen.Use(next => connection =>
        {
            var transport = connection.Transport;
            var writer = new RejectionEnvelopeWriter(transport.Output, status =>
                JsonSerializer.SerializeToUtf8Bytes(ApiError.Create(status, Message(status, limits), time), ApiJsonContext.Relaxed.ApiErrorEnvelope));
            connection.Transport = new Pipe(transport.Input, writer);
            connection.Features.Set(writer);
            return next(connection);
        });
    }

    /// <summary>Marks, first thing in the app, that the answer to this request is the app's.</summary>
    public static WebApplication UseRejectionEnvelope(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (context.Features.Get<RejectionEnvelopeWriter>() is { } writer)
            {
                writer.AppStarted();
                context.Response.OnCompleted(() =>
                {
                    writer.AppDone();
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        return app;
    }

    /// <summary>What Kestrel refused, by the status it chose (its <c>RequestRejectionReason</c>s).</summary>
    private static string Message(int status, KestrelServerLimits limits) => status switch
    {
        400 => "Bad request: the request line or a header is malformed (such as a character not allowed in the path, like %00, or a header without a colon).",
        405 => "Method not allowed.",
        408 => string.Create(CultureInfo.InvariantCulture, $"Request timeout: the request headers did not arrive within {limits.RequestHeadersTimeout.TotalSeconds:0.###} s."),
        411 => "Length required: send Content-Length or Transfer-Encoding: chunked with the body.",
        413 => "Request body too large.",
        414 => string.Create(CultureInfo.InvariantCulture, $"Request line too long: the method, path and query may take {limits.MaxRequestLineSize} bytes at most."),
        431 => string.Create(CultureInfo.InvariantCulture, $"Request headers too large: at most {limits.MaxRequestHeadersTotalSize} bytes and {limits.MaxRequestHeaderCount} headers."),
        501 => "Not implemented: the request's Transfer-Encoding is not supported; send chunked or Content-Length.",
        505 => "HTTP version not supported: send HTTP/1.1.",
        _ => ApiError.DefaultMessage(status),
    };

    private sealed class Pipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
