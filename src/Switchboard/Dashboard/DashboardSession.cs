using Switchboard.Storage;

namespace Switchboard.Dashboard;

/// <summary>
/// Who is signed in to the dashboard: the API token itself, kept in an HttpOnly, SameSite=Strict
/// cookie (Secure over HTTPS) and looked up on every request, so a token revoked with
/// <c>switchboard tokens revoke</c> stops working in the browser at once, as in the API.
/// </summary>
internal static class DashboardSession
{
    private const string Cookie = "switchboard_session";

    public static Task<TokenInfo?> FindAsync(HttpContext context) =>
        context.Request.Cookies.TryGetValue(Cookie, out var token) && !string.IsNullOrWhiteSpace(token)
            ? context.RequestServices.GetRequiredService<TokenStore>().FindAsync(token, context.RequestAborted)
            : Task.FromResult<TokenInfo?>(null);

    public static void SignIn(HttpContext context, string token) =>
        context.Response.Cookies.Append(Cookie, token, Options(context, TimeSpan.FromHours(12)));

    public static void SignOut(HttpContext context) => context.Response.Cookies.Delete(Cookie, Options(context, null));

    public static CookieOptions Options(HttpContext context, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = DashboardHosting.Root,
        MaxAge = maxAge,
        IsEssential = true,
    };

    /// <summary>Where the token's own pages are: the operator's hub page, or the customer's base.</summary>
    public static string HomeOf(TokenInfo token) => token.Scope switch
    {
        TokenScope.Operator => OperatorPages.Path,
        TokenScope.Account => CustomerBase.PathOf(token.VoipId!.Value, null),
        _ => CustomerBase.PathOf(token.VoipId!.Value, token.ExtensionId),
    };
}
