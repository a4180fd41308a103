using System.Globalization;
using System.Text.Json;
using Switchboard.Api;
using Switchboard.Dashboard.Pages;
using Switchboard.Delivery;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Dashboard;

/// <summary>The express-create form as the customer filled it in: one subscription a line, tags apart by spaces or commas.</summary>
internal sealed record NewListenerForm(string Url, string Name, string Subscriptions, bool Ordered = false);

internal sealed record NewListenerModel(CustomerBase Base, NewListenerForm Form, ApiResults.Failure? Error);

/// <summary>
/// What a customer does from the dashboard: create and delete a listener, enable a callback,
/// redeliver an event. Each calls the function the API's route calls, with a body built from the
/// form where the API takes one, so the same checks refuse the same things.
/// </summary>
internal static class CustomerActions
{
    public static void MapCustomerActions(this RouteGroupBuilder pages)
    {
        pages.MapPost("/listeners", CreateListenerAsync);
        pages.MapPost("/listeners/{listener_id:long}/delete", DeleteListenerAsync);
        pages.MapPost("/listeners/{listener_id:long}/events/{uuid}/redeliver", RedeliverAsync);
        pages.MapPost("/listeners/{listener_id:long}/replay", ReplayAsync);
        pages.MapPost("/callbacks/{callback_id:long}/enable", EnableCallbackAsync);
    }

    private static async Task<IResult> CreateListenerAsync(HttpContext context, HubDatabase database, CallbackVerifier verifier, TimeProvider clock, CancellationToken cancellationToken)
    {
        var at = CustomerBase.Of(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var input = new NewListenerForm(form["url"].ToString().Trim(), form["name"].ToString().Trim(), form["subscriptions"].ToString(), form["ordered"] == "true");
        using var body = JsonDocument.Parse(ExpressBody(input));
        var result = await Overview.CreateAsync(database, verifier, clock, at.Owner, body.RootElement, cancellationToken);
        if (result is ApiResults.Failure failure)
        {
            return DashboardResults.Page<NewListenerPage>(new NewListenerModel(at, input, failure), failure.Status);
        }
        var created = ((Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<OverviewItem>)result).Value!;
        Notice.Leave(context, $"Listener {created.Id} created. Its events will show here as they are delivered.");
        return DashboardResults.SeeOther(at.Listener(created.Id));
    }

    /// <summary>The express-create body (api.md, Overview) the form stands for.</summary>
    public static string ExpressBody(NewListenerForm form)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject(":callback");
            if (form.Name.Length > 0)
            {
                json.WriteString("name", form.Name);
            }
            json.WriteStartObject("config");
            json.WriteString("url", form.Url);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartArray(":subscriptions");
            foreach (var line in form.Subscriptions.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                json.WriteStartObject();
                json.WriteStartArray(":tags");
                foreach (var tag in line.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    json.WriteStringValue(tag);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (form.Ordered)
            {
                json.WriteBoolean("ordered", true);
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task<IResult> DeleteListenerAsync(long listener_id, HttpContext context, HubDatabase database, TimeProvider clock, CancellationToken cancellationToken)
    {
        var at = CustomerBase.Of(context);
        if (await Listeners.DeleteAsync(database, clock, at.Owner, listener_id, cancellationToken) is ApiResults.Failure)
        {
            return CustomerPages.ListenerNotFound();
        }
        Notice.Leave(context, string.Create(CultureInfo.InvariantCulture, $"Listener {listener_id} deleted, with its subscriptions and filters."));
        return DashboardResults.SeeOther(at.Path);
    }

    private static async Task<IResult> RedeliverAsync(
        long listener_id, string uuid, HttpContext context, HubDatabase database, EventUuids uuids, OutboxQueue queue, HubNode node, TimeProvider clock, CancellationToken cancellationToken)
    {
        var at = CustomerBase.Of(context);
        await using var db = await database.ConnectAsync(cancellationToken);
        var result = await Deliveries.RedeliverAsync(db, uuids, queue, node, clock, at.Owner, listener_id, uuid, cancellationToken);
        if (result is ApiResults.Failure { Status: StatusCodes.Status404NotFound })
        {
            return DashboardResults.Problem(StatusCodes.Status404NotFound, "No such event", "There is no event with this id that your token may see.");
        }
        Notice.Leave(context, result is ApiResults.Failure failure ? failure.Message : "Queued for delivery again; its attempts show below as they are made.", result is ApiResults.Failure);
        return DashboardResults.SeeOther(at.Event(listener_id, uuid));
    }

    /// <summary>The replay form: a status and a span back from now, which the API's replay takes as since (UNIX seconds) and until now.</summary>
    private static async Task<IResult> ReplayAsync(
        long listener_id, HttpContext context, HubDatabase database, ReplayWorker replays, HubNode node, TimeProvider clock, CancellationToken cancellationToken)
    {
        var at = CustomerBase.Of(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var status = form["status"].ToString() is { Length: > 0 } given ? given : EventStatus.Failed;
        var span = long.TryParse(form["since"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : 86_400;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", status);
            json.WriteNumber("since", clock.GetUtcNow().ToUnixTimeSeconds() - span);
            json.WriteEndObject();
        }
        using var body = JsonDocument.Parse(buffer.ToArray());
        var result = await Deliveries.ReplayAsync(database, replays, node, clock, at.Owner, listener_id, body.RootElement, cancellationToken);
        if (result is ApiResults.Failure { Status: StatusCodes.Status404NotFound })
        {
            return CustomerPages.ListenerNotFound();
        }
        var queued = (result as Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<ReplayQueued>)?.Value?.Queued;
        Notice.Leave(context, result is ApiResults.Failure failure ? failure.Message
            : queued == 0 ? $"Nothing to replay: no {status} events arrived in that span."
            : $"{queued} {status} event{(queued == 1 ? "" : "s")} queued again, oldest first; watch them below.", result is ApiResults.Failure);
        return DashboardResults.SeeOther(at.Listener(listener_id));
    }

    private static async Task<IResult> EnableCallbackAsync(long callback_id, HttpContext context, HubDatabase database, CallbackVerifier verifier, CancellationToken cancellationToken)
    {
        var at = CustomerBase.Of(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        await using var db = await database.ConnectAsync(cancellationToken);
        using var body = JsonDocument.Parse("""{"enabled": true}""");
        var result = await Callbacks.UpdateAsync(db, verifier, at.Owner, callback_id, body.RootElement, cancellationToken);
        if (result is ApiResults.Failure { Status: StatusCodes.Status404NotFound })
        {
            return DashboardResults.Problem(StatusCodes.Status404NotFound, "No such callback here", "There is no callback with this number that your token may see.");
        }
        Notice.Leave(context, result is ApiResults.Failure failure ? failure.Message : "Callback enabled: new events go to it again. Replay what failed meanwhile from a listener's delivery log.",
            result is ApiResults.Failure);
        return DashboardResults.SeeOther(SignIn.Local(form["back"].ToString()) ?? at.Path);
    }
}
