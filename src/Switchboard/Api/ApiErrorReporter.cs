using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;
using Switchboard.Events;
using Switchboard.Delivery;
using Switchboard.Matching;

namespace Switchboard.Api;

/// <summary>
/// api.md, Errors: every error answered on an account's base (any path under
/// <c>/v4/accounts/{voip_id}/</c>) is also an <c>api-error</c> activity for that account, for its
/// account-level listeners. Sits outside <see cref="ErrorEnvelopeMiddleware"/> so it sees the final
/// status and body of framework errors too. The activity is made and stored after the answer has
/// gone out: the client never waits for it.
/// </summary>
internal sealed partial class ApiErrorReporter(ListenerIndex index, OutboxWriter writer, TimeProvider clock, ILogger<ApiErrorReporter> logger)
{
    /// <summary>The request body bytes copied into a report at most.</summary>
    public const int MaxBodyCopy = 4 * 1024;

    /// <summary>The answer body bytes copied into a report at most (an <c>@error</c> envelope is far smaller).</summary>
    public const int MaxPayloadCopy = 16 * 1024;

    private const string AccountsPrefix = "/v4/accounts/";
    private const int MaxRouteLength = 200;
    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");

    private readonly ApiErrorLimiter _limiter = new(clock);

    /// <summary>Route templates by endpoint: endpoints are few and fixed at start-up.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<RouteEndpoint, string> _templates = new();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        // An account without account-level listeners has nobody to tell: its requests pass untouched.
        if (AccountOf(context.Request.Path) is not { } voipId || index.Account(voipId) is not { AccountLevel.Length: > 0 })
        {
            await next(context);
            return;
        }
        // Read before the handlers run: the exception handler forgets the endpoint.
        var endpoint = context.GetEndpoint();
        var request = context.Request;
        var received = request.BodyReader;
        var body = request.Body;
        var bodyCopy = context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false } ? null : new RequestBodyCopy(body, MaxBodyCopy);
        var responseBody = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var answer = new ErrorResponseCapture(responseBody, context.Response, MaxPayloadCopy);
        if (bodyCopy is not null)
        {
            request.Body = bodyCopy;
        }
        context.Features.Set<IHttpResponseBodyFeature>(answer);
        try
        {
            await next(context);
        }
        finally
        {
            request.Body = body;
            context.Features.Set(responseBody);
        }
        var status = context.Response.StatusCode;
        if (status is >= 200 and < 300 || !_limiter.TryAcquire(voipId, status, request.Method, RouteOf(endpoint, request.Path)))
        {
            bodyCopy?.Release();
            return;
        }
        bodyCopy?.TakeReceived(received);
        var report = new ApiErrorReport(
            voipId, request.Method, request.PathBase + request.Path + request.QueryString,
            [.. request.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToString()))],
            bodyCopy?.Copy() ?? [], bodyCopy?.Truncated ?? false, request.ContentLength ?? bodyCopy?.BytesSeen ?? 0,
            status, answer.Captured.ToArray());
        bodyCopy?.Release();
        context.Response.OnCompleted(() =>
        {
            Report(report);
            return Task.CompletedTask;
        });
    }

    /// <summary>Makes the activity and hands it to the writer without waiting for storage.</summary>
    private void Report(ApiErrorReport report)
    {
        try
        {
            var data = report.DataJson();
            using var document = System.Text.Json.JsonDocument.Parse(data);
            var read = EventJson.ReadData(DataType.ApiError, document.RootElement);
            if (!read.IsValid)
            {
                LogInvalid(logger, report.VoipId, string.Join("; ", read.Errors));
                return;
            }
            var now = clock.GetUtcNow();
            var activity = Activity.Of(report.VoipId, [], read.Value!, data, Guid.CreateVersion7(now).ToString(), now.ToUnixTimeMilliseconds() * 1_000_000, null);
            activity.Targets = index.TargetsOf(activity, now.ToUnixTimeSeconds());
            // Nobody wants it (a listener may subscribe only api-error-trusted): nothing to store.
            if (activity.Targets.Count == 0)
            {
                return;
            }
            _ = StoreAsync(activity);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(logger, e, report.VoipId, report.Status);
        }
    }

    private async Task StoreAsync(Activity activity)
    {
        try
        {
            await writer.SubmitAsync([activity]);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(logger, e, activity.VoipId, ((ApiErrorData)activity.Model).Response.Status);
        }
    }

    /// <summary>The account of a path under <c>/v4/accounts/{voip_id}/</c>, if it is one.</summary>
    private static long? AccountOf(PathString path)
    {
        var value = path.Value;
        if (value is null || !value.StartsWith(AccountsPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var rest = value.AsSpan(AccountsPrefix.Length);
        var end = rest.IndexOf('/');
        return end > 0 && long.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var voipId) ? voipId : null;
    }

    /// <summary>
    /// The route the limiter counts by, without the method: the endpoint's template
    /// (<c>/v4/accounts/{voip_id}/integrations/events/callbacks</c>), or when none matched, the
    /// path with its numbers made placeholders so that ids do not make new routes.
    /// </summary>
    private string RouteOf(Endpoint? endpoint, PathString path)
    {
        if (endpoint is RouteEndpoint routeEndpoint)
        {
            return _templates.GetOrAdd(routeEndpoint, static e => Template(e.RoutePattern));
        }
        var value = (path.Value ?? "").AsSpan();
        var route = new StringBuilder(Math.Min(value.Length + 8, MaxRouteLength));
        foreach (var range in value.Split('/'))
        {
            var segment = value[range];
            if (segment.IsEmpty)
            {
                continue;
            }
            route.Append('/');
            if (!segment.ContainsAnyExcept(Digits))
            {
                route.Append("{n}");
                continue;
            }
            foreach (var c in segment)
            {
                route.Append(char.ToLowerInvariant(c));
            }
            if (route.Length > MaxRouteLength)
            {
                return route.ToString(0, MaxRouteLength);
            }
        }
        return route.ToString();
    }

    private static string Template(RoutePattern pattern)
    {
        var template = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            template.Append('/');
            foreach (var part in segment.Parts)
            {
                template.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
                    RoutePatternSeparatorPart separator => separator.Content,
                    _ => "",
                });
            }
        }
        return template.ToString();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report an api-error ({Status}) for account {VoipId}")]
    private static partial void LogFailed(ILogger logger, Exception exception, long voipId, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "An api-error report for account {VoipId} was not valid: {Problems}")]
    private static partial void LogInvalid(ILogger logger, long voipId, string problems);
}

internal static class ApiErrorReports
{
    /// <summary>Reports errors on account bases as api-error activities; goes before <see cref="ErrorEnvelopeMiddleware.UseErrorEnvelope"/>.</summary>
    public static WebApplication UseApiErrorReports(this WebApplication app)
    {
        var reporter = app.Services.GetRequiredService<ApiErrorReporter>();
        app.Use(reporter.InvokeAsync);
        return app;
    }
}
