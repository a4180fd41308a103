using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>The <c>Authorization: Bearer …</c> token of a request (api.md, Authentication and scope).</summary>
internal static class BearerToken
{
    /// <summary>The live token the request carries, or null when it carries none or an unknown or revoked one.</summary>
    public static async Task<TokenInfo?> FindAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        return token.Length == 0 ? null : await context.RequestServices.GetRequiredService<TokenStore>().FindAsync(token, context.RequestAborted);
    }

    /// <summary>
    /// The answer to a request without a live token: <c>401</c>, or <c>429</c> with <c>Retry-After</c>
    /// once its client address has failed too often (api.md, Request limits).
    /// </summary>
    public static IResult Refuse(HttpContext context, string? message = null)
    {
        if (context.RequestServices.GetRequiredService<RequestLimiter>().RefuseFailedAuth(context.Connection.RemoteIpAddress) is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ApiResults.Error(StatusCodes.Status429TooManyRequests, $"Too many requests without a valid token from this address; try again in {retryAfter} s.");
        }
        return ApiResults.Error(StatusCodes.Status401Unauthorized, message);
    }
}
