using Switchboard.Dashboard.Pages;
using Switchboard.Storage;

namespace Switchboard.Dashboard;

/// <summary>The sign-in form: a token of the API, typed or pasted; a page to come back to after it.</summary>
internal sealed record SignInModel(PageFrame Frame, string? ReturnTo, string? Error);

/// <summary><c>/ui</c>, <c>/ui/sign-in</c> and <c>/ui/sign-out</c>: a session is an API token in a cookie.</summary>
internal static class SignIn
{
    public const string Path = DashboardHosting.Root + "/sign-in";

    public static void MapSignIn(this RouteGroupBuilder ui)
    {
        ui.MapGet("/", async (HttpContext context) =>
            await DashboardSession.FindAsync(context) is { } token ? DashboardResults.SeeOther(DashboardSession.HomeOf(token)) : DashboardResults.SeeOther(Path));
        ui.MapGet("/sign-in", (HttpContext context, string? @return) =>
            DashboardResults.Page<SignInPage>(new SignInModel(PageFrame.For(context, null), Local(@return), null)));
        ui.MapPost("/sign-in", SignInAsync);
        ui.MapPost("/sign-out", async (HttpContext context) =>
        {
            if (await DashboardHosting.RefuseForgedAsync(context) is { } forged)
            {
                return forged;
            }
            DashboardSession.SignOut(context);
            return DashboardResults.SeeOther(Path);
        });
    }

    /// <summary>A page to return to after sign-in, only if it is one of the dashboard's own: never a redirect elsewhere.</summary>
    public static string? Local(string? path) =>
        path is not null && path.StartsWith(DashboardHosting.Root + "/", StringComparison.Ordinal) && !path.Contains("//", StringComparison.Ordinal) && !path.Contains('\\', StringComparison.Ordinal)
            ? path
            : null;

    private static async Task<IResult> SignInAsync(HttpContext context, TokenStore tokens)
    {
        if (await DashboardHosting.RefuseForgedAsync(context) is { } forged)
        {
            return forged;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var token = form["token"].ToString().Trim();
        var returnTo = Local(form["return"].ToString());
        var info = token.Length == 0 ? null : await tokens.FindAsync(token, context.RequestAborted);
        if (info is null)
        {
            return DashboardResults.Page<SignInPage>(
                new SignInModel(PageFrame.For(context, null), returnTo, "That token is not known here, or it was revoked. Tokens come from switchboard tokens create."),
                StatusCodes.Status401Unauthorized);
        }
        DashboardSession.SignIn(context, token);
        return DashboardResults.SeeOther(returnTo ?? DashboardSession.HomeOf(info));
    }
}
