using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// Makes the framework's own errors — unknown route, wrong method, body too large, unreadable
/// request — answer with the same <c>@error</c> envelope as the API's (api.md, Errors), and storage
/// that cannot be used for now (the database down or restarting, the disk full) answer 503 with
/// Retry-After wherever a request meets it, instead of 500 (docs/reliability.md).
/// </summary>
internal static class ErrorEnvelopeMiddleware
{
    public static WebApplication UseErrorEnvelope(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            // A client's bad request (a body over the limit, a broken upload) is answered, not a fault
            // of the hub: no error log with a stack trace for it; nor is every request that met storage
            // down (the writer and /readyz say so once). Real faults are still logged.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException || IsStorageUnavailable(c.HttpContext, c.Exception),
            ExceptionHandler = async context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                if (IsStorageUnavailable(context, error))
                {
                    context.Response.Headers.RetryAfter = "1";
                    await ApiError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Storage is unavailable for the moment (the database cannot be reached, or its disk is full); send the request again shortly.");
                    return;
                }
                var status = error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
                // Kestrel's 408 here is the body read: MinRequestBodyDataRate (240 bytes/s after 5 s) was not met.
                await ApiError.WriteAsync(context, status, status == StatusCodes.Status408RequestTimeout ? "Request timeout: the request body arrived too slowly." : null);
            },
        });
        // Answers the framework leaves without a body (404 for an unknown route, 405, …).
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            await ApiError.WriteAsync(context, context.Response.StatusCode);
        });
        return app;
    }

    private static bool IsStorageUnavailable(HttpContext context, Exception? error) =>
        error is DbException db && context.RequestServices.GetRequiredService<HubDatabase>().IsUnavailable(db);
}
