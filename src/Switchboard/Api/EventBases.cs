using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// The two bases every resource hangs under (api.md): account level and extension level, with
/// the token checks of "Authentication and scope" in front of both.
/// </summary>
internal static class EventBases
{
    public const string Account = "/v4/accounts/{voip_id:long}/integrations/events";
    public const string Extension = "/v4/accounts/{voip_id:long}/extensions/{extension_id:long}/integrations/events";

    /// <summary>Maps the resource routes that <paramref name="map"/> adds under both bases.</summary>
    public static void MapOnBothBases(this IEndpointRouteBuilder routes, Action<RouteGroupBuilder> map)
    {
        map(routes.MapGroup(Account).AddEndpointFilter(CheckScope).WithErrorEnvelope());
        map(routes.MapGroup(Extension).AddEndpointFilter(CheckScope).WithErrorEnvelope());
    }

    /// <summary>Maps routes under an account-level path outside the events bases (schedules), with the same token checks.</summary>
    public static RouteGroupBuilder MapAccountLevel(this IEndpointRouteBuilder routes, string path) =>
        routes.MapGroup(path).AddEndpointFilter(CheckScope).WithErrorEnvelope();

    /// <summary>401 without a live token, 429 past its request rate, 403 for a base outside the token's scope.</summary>
    private static async ValueTask<object?> CheckScope(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var voipId = long.Parse((string)context.Request.RouteValues["voip_id"]!, System.Globalization.CultureInfo.InvariantCulture);
        long? extensionId = context.Request.RouteValues.TryGetValue("extension_id", out var e)
            ? long.Parse((string)e!, System.Globalization.CultureInfo.InvariantCulture)
            : null;
        var (owner, refusal) = Admit(context, await BearerToken.FindAsync(context), voipId, extensionId);
        if (owner is null)
        {
            return refusal;
        }
        owner.AttachTo(context);
        if (HttpMethods.IsGet(context.Request.Method))
        {
            return await next(invocation);
        }
        // scaling.md: on a shared database another node's write may conflict with this one; it is
        // rolled back whole and the request runs again, on the body read afresh.
        if (context.RequestServices.GetRequiredService<HubDatabase>().SharedByNodes)
        {
            context.Request.EnableBuffering();
        }
        try
        {
            return await WriteAsync(context.RequestServices, voipId,
                async () => await next(invocation), () => context.Request.Body.CanSeek, () => context.Request.Body.Position = 0);
        }
        catch (System.Data.Common.DbException conflict) when (context.RequestServices.GetRequiredService<HubDatabase>().IsConflict(conflict))
        {
            // Rolled back by conflicting changes each time it ran: nothing of it holds, and it may be sent again.
            context.Response.Headers.RetryAfter = "1";
            return ApiResults.Error(StatusCodes.Status503ServiceUnavailable, "Other changes to the same data kept conflicting with this one; nothing was changed. Send it again.");
        }
    }

    /// <summary>
    /// The owner a request with token <paramref name="info"/> acts as on the base of
    /// (<paramref name="voipId"/>, <paramref name="extensionId"/>), or the refusal: 401 without a
    /// live token, 429 past its request rate, 403 for a base outside the token's scope. The API and
    /// the dashboard both admit requests here.
    /// </summary>
    public static (Owner? Owner, IResult? Refusal) Admit(HttpContext context, TokenInfo? info, long voipId, long? extensionId)
    {
        if (info is null)
        {
            return (null, BearerToken.Refuse(context));
        }
        // Operator tokens are the platform's own tooling (provisioning, load tests): only customers' tokens are limited.
        if (info.Scope != TokenScope.Operator && context.RequestServices.GetRequiredService<RequestLimiter>().Refuse(info.Id) is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (null, ApiResults.Error(StatusCodes.Status429TooManyRequests, $"Too many requests with this token; try again in {retryAfter} s."));
        }
        return Allows(info, voipId, extensionId)
            ? (new Owner(voipId, extensionId), null)
            : (null, ApiResults.Error(StatusCodes.Status403Forbidden));
    }

    /// <summary>api.md, Authentication and scope: whether the token may use the base.</summary>
    public static bool Allows(TokenInfo info, long voipId, long? extensionId) => info.Scope switch
    {
        TokenScope.Operator => true,
        TokenScope.Account => info.VoipId == voipId,
        _ => info.VoipId == voipId && extensionId is not null && info.ExtensionId == extensionId,
    };

    /// <summary>
    /// Runs a change to an account's configuration or deliveries: again when a conflicting
    /// transaction of another node rolled it back (while <paramref name="canRetry"/>), then the
    /// account's matching index is rebuilt before the answer goes out (api.md, Listeners: a change
    /// holds for the next activity ingested after the answer).
    /// </summary>
    public static async Task<T> WriteAsync<T>(IServiceProvider services, long voipId, Func<Task<T>> write, Func<bool> canRetry, Action reset)
    {
        var result = await services.GetRequiredService<HubDatabase>().RetryOnConflictAsync(write, canRetry, reset);
        await services.GetRequiredService<ListenerIndex>().ChangedAsync(voipId, CancellationToken.None);
        return result;
    }
}
