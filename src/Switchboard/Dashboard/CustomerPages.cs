using System.Text;
using System.Text.Json;
using Switchboard.Api;
using Switchboard.Dashboard.Pages;
using Switchboard.Delivery;
using Switchboard.Storage;

namespace Switchboard.Dashboard;

internal sealed record OverviewModel(CustomerBase Base, IReadOnlyList<ListenerCard> Cards, long Total, PageLinks Pages);

internal sealed record DeliveryLogModel(
    CustomerBase Base, ListenerCard Card, IReadOnlyList<LoggedEvent> Events, long Total, PageLinks Pages, string? Status, string? DataType, string? LiveUrl);

internal sealed record EventModel(CustomerBase Base, ListenerCard Card, string Uuid, EventDeliveryDetail Detail, string Json);

/// <summary>Page numbers of a list, 1-based, with the query that keeps the list's filters.</summary>
internal sealed record PageLinks(int Page, int PageSize, long Total, string Path, string Query)
{
    public int Offset => (Page - 1) * PageSize;

    public int Last => Math.Max(1, (int)((Total + PageSize - 1) / PageSize));

    public string Link(int page) => $"{Path}?{Query}{(Query.Length > 0 ? "&" : "")}page={page}";

    public static int Parse(string? page) => int.TryParse(page, out var n) && n is > 0 and < 1_000_000 ? n : 1;
}

/// <summary>
/// The customer's pages (api.md, Dashboard) on the same bases as the API: the overview of
/// listeners with their callbacks' health, a listener's delivery log, and one event with its attempts.
/// </summary>
internal static class CustomerPages
{
    public const int OverviewPageSize = 10;
    public const int LogPageSize = 25;
    public static readonly string[] DataTypes = ["call", "message", "call-log", "recording", "api-error"];

    public static void MapCustomerPages(this RouteGroupBuilder ui)
    {
        foreach (var path in (string[])["/accounts/{voip_id:long}", "/accounts/{voip_id:long}/extensions/{extension_id:long}"])
        {
            var pages = ui.MapGroup(path).AddEndpointFilter(CustomerBase.AdmitAsync);
            pages.MapGet("/", OverviewAsync);
            pages.MapGet("/listeners/new", NewListener);
            pages.MapGet("/listeners/{listener_id:long}", DeliveryLogAsync);
            pages.MapGet("/listeners/{listener_id:long}/events/{uuid}", EventAsync);
            pages.MapGet("/listeners/{listener_id:long}/live", LiveEvents.StreamAsync);
            pages.MapCustomerActions();
        }
    }

    private static async Task<IResult> OverviewAsync(HttpContext context, HubDatabase database, TimeProvider clock, string? page, CancellationToken cancellationToken)
    {
        var at = CustomerBase.Of(context);
        await using var db = await database.ConnectAsync(cancellationToken);
        var links = new PageLinks(PageLinks.Parse(page), OverviewPageSize, 0, at.Path, "");
        var items = await Overview.PageAsync(db, at.Owner, [], links.PageSize, links.Offset, cancellationToken);
        var window = await HealthWindow.LoadAsync(db, clock, cancellationToken);
        var cards = new List<ListenerCard>(items.Items.Count);
        foreach (var item in items.Items)
        {
            cards.Add(new ListenerCard(item, await ListenerHealth.LoadAsync(db, window, item, cancellationToken)));
        }
        return DashboardResults.Page<OverviewPage>(new OverviewModel(at, cards, items.Total, links with { Total = items.Total }));
    }

    private static IResult NewListener(HttpContext context) =>
        DashboardResults.Page<NewListenerPage>(new NewListenerModel(CustomerBase.Of(context), new NewListenerForm("", "", "call"), null));

    /// <summary>The listener as a card, or null when it is not visible from the base (the API's 404).</summary>
    public static async Task<ListenerCard?> CardAsync(HubConnection db, CustomerBase at, long listenerId, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await Listeners.FindVisibleAsync(db, at.Owner, listenerId, cancellationToken) is not { } listener)
        {
            return null;
        }
        var item = await OverviewItem.LoadAsync(db, listener, cancellationToken);
        return new ListenerCard(item, await ListenerHealth.LoadAsync(db, await HealthWindow.LoadAsync(db, clock, cancellationToken), item, cancellationToken));
    }

    public static IResult ListenerNotFound() =>
        DashboardResults.Problem(StatusCodes.Status404NotFound, "No such listener here", "There is no listener with this number that your token may see.");

    private static async Task<IResult> DeliveryLogAsync(
        long listener_id, string? status, string? data_type, string? page, HttpContext context, HubDatabase database, EventUuids uuids, TimeProvider clock, CancellationToken cancellationToken)
    {
        var at = CustomerBase.Of(context);
        status = EventStatus.All.Contains(status) ? status : null;
        data_type = string.IsNullOrWhiteSpace(data_type) ? null : data_type.Trim();
        await using var db = await database.ConnectAsync(cancellationToken);
        if (await CardAsync(db, at, listener_id, clock, cancellationToken) is not { } card)
        {
            return ListenerNotFound();
        }
        var query = Query(("status", status), ("data_type", data_type));
        var links = new PageLinks(PageLinks.Parse(page), LogPageSize, 0, at.Listener(listener_id), query);
        var rows = (await Deliveries.LogAsync(db, uuids, at.Owner, listener_id, status, data_type, links.PageSize, links.Offset, cancellationToken))!;
        // Live only on the first page: later pages are history, and stay still while read.
        var live = links.Page == 1 ? $"{at.Listener(listener_id)}/live{(query.Length > 0 ? "?" + query : "")}" : null;
        return DashboardResults.Page<DeliveryLogPage>(new DeliveryLogModel(at, card, rows.Items, rows.Total, links with { Total = rows.Total }, status, data_type, live));
    }

    private static async Task<IResult> EventAsync(long listener_id, string uuid, HttpContext context, HubDatabase database, EventUuids uuids, TimeProvider clock, CancellationToken cancellationToken)
    {
        var at = CustomerBase.Of(context);
        await using var db = await database.ConnectAsync(cancellationToken);
        if (await CardAsync(db, at, listener_id, clock, cancellationToken) is not { } card)
        {
            return ListenerNotFound();
        }
        var (detail, _) = await Deliveries.DetailAsync(db, uuids, at.Owner, listener_id, uuid, cancellationToken);
        if (detail is null)
        {
            return DashboardResults.Problem(StatusCodes.Status404NotFound, "No such event", "This listener has no event with this id; it may have passed the retention period.");
        }
        return DashboardResults.Page<EventPage>(new EventModel(at, card, uuid, detail, Indented(detail.Event)));
    }

    public static string Indented(JsonElement json)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Query(params (string Name, string? Value)[] parts) =>
        string.Join("&", parts.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
}
