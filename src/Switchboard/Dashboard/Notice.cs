namespace Switchboard.Dashboard;

/// <summary>
/// The one-line message an action leaves for the page it redirects to ("Event queued for
/// delivery again"), in a cookie that lives for that one page view.
/// </summary>
internal sealed record Notice(string Text, bool IsError)
{
    private const string Cookie = "switchboard_notice";

    public static void Leave(HttpContext context, string text, bool isError = false) =>
        context.Response.Cookies.Append(Cookie, (isError ? "!" : ".") + text, DashboardSession.Options(context, TimeSpan.FromMinutes(1)));

    /// <summary>The message left by the last action, taken so that a reload does not show it again.</summary>
    public static Notice? Take(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(Cookie, out var value) || value.Length < 2)
        {
            return null;
        }
        context.Response.Cookies.Delete(Cookie, DashboardSession.Options(context, null));
        return new Notice(value[1..], value[0] == '!');
    }
}
