using Microsoft.AspNetCore.Antiforgery;
using Switchboard.Storage;

namespace Switchboard.Dashboard;

/// <summary>
/// What every page's frame shows and needs: who is signed in, where their pages are, the
/// antiforgery token each form carries, and the message the last action left.
/// </summary>
internal sealed record PageFrame(string? Who, string? Home, bool IsOperator, string AntiforgeryField, string AntiforgeryToken, Notice? Notice)
{
    public static PageFrame For(HttpContext context, TokenInfo? token, bool takeNotice = true)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new PageFrame(
            token is null ? null : Describe(token), token is null ? null : DashboardSession.HomeOf(token), token?.Scope == TokenScope.Operator,
            tokens.FormFieldName, tokens.RequestToken!, takeNotice ? Notice.Take(context) : null);
    }

    private static string Describe(TokenInfo token) => token.Scope switch
    {
        TokenScope.Operator => "Operator",
        TokenScope.Account => $"Account {token.VoipId}",
        _ => $"Extension {token.ExtensionId} · account {token.VoipId}",
    };
}
