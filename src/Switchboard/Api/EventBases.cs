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
        var info = await BearerToken.FindAsync(context);
        if (info is null)
        {
            return BearerToken.Refuse(context);
        }
        // Operator tokens are the platform's own tooling (provisioning, load tests): only customers' tokens are limited.
        if (info.Scope != TokenScope.Operator && context.RequestServices.GetRequiredService<RequestLimiter>().Refuse(info.Id) is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ApiResults.Error(StatusCodes.Status429TooManyRequests, $"Too many requests with this token; try again in {retryAfter} s.");
        }
        var voipId = long.Parse((string)context.Request.RouteValues["voip_id"]!, System.Globalization.CultureInfo.InvariantCulture);
        long? extensionId = context.Request.RouteValues.TryGetValue("extension_id", out var e)
            ? long.Parse((string)e!, System.Globalization.CultureInfo.InvariantCulture)
            : null;
        var allowed = info.Scope switch
        {
            TokenScope.Operator => true,
            TokenScope.Account => info.VoipId == voipId,
            _ => info.VoipId == voipId && extensionId is not null && info.ExtensionId == extensionId,
        };
        if (!allowed)
        {
            return ApiResults.Error(StatusCodes.Status403Forbidden);
        }
        new Owner(voipId, extensionId).AttachTo(context);
        if (HttpMethods.IsGet(context.Request.Method))
        {
            return await next(invocation);
        }
        // scaling.md: on a shared database another node's write may conflict with this one; it is
        // rolled back whole and the request runs again, on the body read afresh.
        var database = context.RequestServices.GetRequiredService<HubDatabase>();
        if (database.SharedByNodes)
        {
            context.Request.EnableBuffering();
        }
        object? result;
        try
        {
            result = await database.RetryOnConflictAsync(
                async () => await next(invocation), () => context.Request.Body.CanSeek, () => context.Request.Body.Position = 0);
        }
        catch (System.Data.Common.DbException conflict) when (database.IsConflict(conflict))
        {
            // Rolled back by conflicting changes each time it ran: nothing of it holds, and it may be sent again.
            context.Response.Headers.RetryAfter = "1";
            return ApiResults.Error(StatusCodes.Status503ServiceUnavailable, "Other changes to the same data kept conflicting with this one; nothing was changed. Send it again.");
        }
        // api.md, Listeners: a change holds for the next activity ingested after the answer,
        // so the account's matching index is rebuilt before the answer goes out.
        await context.RequestServices.GetRequiredService<ListenerIndex>().ChangedAsync(voipId, CancellationToken.None);
        return result;
    }
}
