using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Api;

/// <summary>
/// An answer given before a body over the limit was read (a 401 to a POST with a wrong token, a 404 or 409
/// to a DELETE that carries a body) says <c>Connection: close</c>. Kestrel drains an unread body after the
/// answer only up to the request's body limit and closes the connection past it; unannounced, a keep-alive
/// client sends its next request on the closed connection and gets no answer at all (found by the API fuzz
/// test). A body read past the limit is Kestrel's own 413, which already says so.
/// </summary>
internal static class UnreadBodies
{
    public static WebApplication UseCloseAfterUnreadBodies(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (context.Request.ContentLength is > 0)
            {
                context.Response.OnStarting(() =>
                {
                    // Read when the answer starts: ingest raises its request's limit before reading.
                    if (context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit && context.Request.ContentLength > limit)
                    {
                        context.Response.Headers.Connection = "close";
                    }
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        return app;
    }
}
