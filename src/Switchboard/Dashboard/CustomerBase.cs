using System.Globalization;
using Switchboard.Api;
using Switchboard.Storage;

namespace Switchboard.Dashboard;

/// <summary>
/// The account or extension a customer page shows, mirroring the API's bases
/// (<c>/ui/accounts/{voip_id}</c>, <c>/ui/accounts/{voip_id}/extensions/{extension_id}</c>), with
/// the signed-in token and the <see cref="Api.Owner"/> the API's functions take.
/// </summary>
internal sealed record CustomerBase(TokenInfo Token, Owner Owner, string Path, PageFrame Frame)
{
    private const string ItemKey = "switchboard.dashboard.base";

    public static CustomerBase Of(HttpContext context) => (CustomerBase)context.Items[ItemKey]!;

    public static string PathOf(long voipId, long? extensionId) =>
        extensionId is { } extension
            ? string.Create(CultureInfo.InvariantCulture, $"{DashboardHosting.Root}/accounts/{voipId}/extensions/{extension}")
            : string.Create(CultureInfo.InvariantCulture, $"{DashboardHosting.Root}/accounts/{voipId}");

    public string Listener(long id) => string.Create(CultureInfo.InvariantCulture, $"{Path}/listeners/{id}");

    public string Event(long listenerId, string uuid) => $"{Listener(listenerId)}/events/{Uri.EscapeDataString(uuid)}";

    /// <summary>
    /// Admits a dashboard request on a customer base exactly as the API admits one on the same
    /// base (<see cref="EventBases.Admit"/>): a forged form is refused first, a missing session
    /// goes to sign-in, a token outside its scope is refused; changes run as the API runs them.
    /// </summary>
    public static async ValueTask<object?> AdmitAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (await DashboardHosting.RefuseForgedAsync(context) is { } forged)
        {
            return forged;
        }
        var token = await DashboardSession.FindAsync(context);
        if (token is null && HttpMethods.IsGet(context.Request.Method))
        {
            return DashboardResults.SeeOther($"{SignIn.Path}?return={Uri.EscapeDataString(context.Request.Path + context.Request.QueryString)}");
        }
        var voipId = long.Parse((string)context.Request.RouteValues["voip_id"]!, CultureInfo.InvariantCulture);
        long? extensionId = context.Request.RouteValues.TryGetValue("extension_id", out var e) ? long.Parse((string)e!, CultureInfo.InvariantCulture) : null;
        var (owner, refusal) = EventBases.Admit(context, token, voipId, extensionId);
        if (owner is null)
        {
            var failure = (ApiResults.Failure)refusal!;
            return failure.Status == StatusCodes.Status403Forbidden
                ? DashboardResults.Problem(failure.Status, "Not yours to see", "This account or extension is outside what your token may use. Pages of other accounts are never shown.")
                : DashboardResults.Problem(failure.Status, "Not now", failure.Message);
        }
        context.Items[ItemKey] = new CustomerBase(token!, owner, PathOf(voipId, extensionId),
            PageFrame.For(context, token, takeNotice: HttpMethods.IsGet(context.Request.Method)));
        if (HttpMethods.IsGet(context.Request.Method))
        {
            return await next(invocation);
        }
        // The form is read once and kept, so a run again after a conflict (scaling.md) reads the same fields.
        return await EventBases.WriteAsync(context.RequestServices, voipId, async () => await next(invocation), () => true, () => { });
    }
}
