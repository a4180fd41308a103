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
}
