using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Switchboard.Delivery;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// An event of a listener's delivery log (api.md, Deliveries). <see cref="LastAttemptAt"/> is ISO
/// 8601 UTC with milliseconds, like <c>@time</c>: attempts come milliseconds apart (a fallback
/// is tried at once), which UNIX seconds would blur. <see cref="StatusReason"/>, beyond api.md,
/// says why a failed or suppressed event ended so, which its attempts alone may not show.
/// </summary>
internal sealed record EventDelivery(
    string Uuid, long TimestampNs, IReadOnlyList<string> Tags, string DataType, string DataObjectUuid, string Status, int Attempts, string? LastAttemptAt, long CallbackId,
    string? StatusReason)
{
    public static EventDelivery Of(LoggedEvent row) => new(
        row.Uuid, row.Activity.TimestampNs, row.Activity.Tags, row.Activity.DataType, row.Activity.DataObjectUuid, row.Status, row.Attempts, Deliveries.Iso(row.LastAttemptAt), row.CallbackId,
        row.StatusReason);
}

/// <summary>One attempt to deliver an event; <see cref="At"/> in ISO 8601 UTC with milliseconds.</summary>
internal sealed record DeliveryAttempt(string At, long CallbackId, string? Url, int? StatusCode, int DurationMs, string? Error)
{
    public static DeliveryAttempt Of(LoggedAttempt attempt) => new(
        Deliveries.Iso(attempt.At)!, attempt.CallbackId, attempt.Url, attempt.StatusCode, attempt.DurationMs, attempt.Error);
}

/// <summary>
/// An event as its receiver gets it (<see cref="Event"/>, the Events v2 JSON) with where its
/// delivery stands: the callback it is with now, when it is tried next while pending, and every
/// attempt so far, oldest first.
/// </summary>
internal sealed record EventDeliveryDetail(
    JsonElement Event, string Status, string? StatusReason, long CallbackId, string? LastAttemptAt, string? NextAttemptAt, IReadOnlyList<DeliveryAttempt> Attempts);

/// <summary><c>{base}/listeners/{listener_id}/events</c>: a listener's delivery log, one event, and redelivery (api.md, Deliveries).</summary>
internal static class Deliveries
{
    private static readonly Dictionary<string, FilterKind> ListFilters = new() { ["status"] = FilterKind.Text, ["data_type"] = FilterKind.Text };

    public static void MapDeliveries(this RouteGroupBuilder group)
    {
        var events = group.MapGroup("/listeners/{listener_id:long}/events").WithTags("Deliveries");
        events.MapGet("/", List).Produces<Page<EventDelivery>>()
            .WithListQuery(ListFilters, new Dictionary<string, IReadOnlyList<string>> { ["status"] = EventStatus.All }).WithErrors(StatusCodes.Status404NotFound).WithSummary("List the events rendered for a listener")
            .WithDescription("Newest first. Filters: status (pending, delivered, failed, suppressed), data_type. last_attempt_at is ISO 8601 UTC; status_reason says why a failed or suppressed event ended so.");
        events.MapGet("/{uuid}", Get).Produces<EventDeliveryDetail>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Get an event with its delivery attempts")
            .WithDescription("event is the Events v2 JSON the callback receives; attempts lists every attempt, oldest first; times are ISO 8601 UTC.");
        events.MapPost("/{uuid}/redeliver", Redeliver).Produces<EventDelivery>(StatusCodes.Status202Accepted)
            .WithErrors(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .WithSummary("Queue an event for delivery again")
            .WithDescription("For a delivered, failed or suppressed event: it goes to the listener's callback again with a fresh set of retries; "
                + "earlier attempts stay in the log. 409 while the event is still pending.");
        events.MapPost("/replay", Replay).AcceptsJson<ReplayRequest>().Produces<ReplayQueued>(StatusCodes.Status202Accepted).WithErrors(StatusCodes.Status404NotFound)
            .WithSummary("Replay a listener's events in bulk")
            .WithDescription("Every event of the listener with the given status (failed, suppressed or delivered; default failed) whose activity was "
                + "acknowledged in [since, until) (UNIX seconds; until null: up to now) goes to the listener's callback again, in the original order, "
                + "with a fresh set of retries. Answers at once with how many; the work runs in the background.");
    }

    /// <summary>UNIX milliseconds as ISO 8601 UTC with milliseconds (the format of <c>@time</c>).</summary>
    public static string? Iso(long? unixMs) => unixMs is { } ms
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
        : null;

    private static async Task<IResult> List(long listener_id, HttpContext context, HubDatabase database, EventUuids uuids, CancellationToken cancellationToken)
    {
        var (paging, error) = Paging.Parse(context.Request, ListFilters);
        if (paging is null)
        {
            return error!;
        }
        var status = paging.Filters.Where(f => f.Column == "status").Select(f => (string)f.Value).FirstOrDefault();
        if (status is not null && !EventStatus.All.Contains(status))
        {
            return ApiResults.Invalid(new Dictionary<string, string> { ["filters[status]"] = $"must be one of {string.Join(", ", EventStatus.All)}" });
        }
        var dataType = paging.Filters.Where(f => f.Column == "data_type").Select(f => (string)f.Value).FirstOrDefault();
        await using var db = await database.ConnectAsync(cancellationToken);
        var rows = await LogAsync(db, uuids, Owner.Of(context), listener_id, status, dataType, paging.Limit, paging.Offset, cancellationToken);
        return rows is null ? ApiResults.NotFound("Listener") : TypedResults.Json(paging.Answer(rows, EventDelivery.Of), ApiJsonContext.Relaxed.PageEventDelivery);
    }

    /// <summary>A page of the listener's delivery log, newest first; null when the listener is not visible from the owner's base.</summary>
    public static async Task<PageRows<LoggedEvent>?> LogAsync(
        HubConnection db, EventUuids uuids, Owner owner, long listenerId, string? status, string? dataType, int limit, int offset, CancellationToken cancellationToken) =>
        await Listeners.FindVisibleAsync(db, owner, listenerId, cancellationToken) is { } listener
            ? await EventTable.PageAsync(db, uuids, listener.VoipId, listenerId, status, dataType, limit, offset, cancellationToken)
            : null;

    private static async Task<IResult> Get(long listener_id, string uuid, HttpContext context, HubDatabase database, EventUuids uuids, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var (detail, notFound) = await DetailAsync(db, uuids, Owner.Of(context), listener_id, uuid, cancellationToken);
        return detail is null ? notFound! : TypedResults.Json(detail, ApiJsonContext.Relaxed.EventDeliveryDetail);
    }

    /// <summary>The event with its attempts, or the 404 that says whether the listener or the event is not there for this owner.</summary>
    public static async Task<(EventDeliveryDetail? Detail, IResult? NotFound)> DetailAsync(
        HubConnection db, EventUuids uuids, Owner owner, long listenerId, string uuid, CancellationToken cancellationToken)
    {
        if (await Listeners.FindVisibleAsync(db, owner, listenerId, cancellationToken) is null)
        {
            return (null, ApiResults.NotFound("Listener"));
        }
        if (await EventTable.FindAsync(db, uuids, listenerId, uuid, cancellationToken) is not { } row)
        {
            return (null, ApiResults.NotFound("Event"));
        }
        var attempts = await EventTable.AttemptsAsync(db, listenerId, row.Key.ActivityId, cancellationToken);
        using var rendered = JsonDocument.Parse(EventRenderer.Render(new OutboxEvent(row.Key, row.Uuid, row.Activity)));
        // Cloned: the answer is written after the handler has returned and disposed the document.
        return (new EventDeliveryDetail(
            rendered.RootElement.Clone(), row.Status, row.StatusReason, row.CallbackId, Iso(row.LastAttemptAt),
            row.Status == EventStatus.Pending ? Iso(row.NextAttemptAt) : null, [.. attempts.Select(DeliveryAttempt.Of)]), null);
    }

    private static async Task<IResult> Redeliver(
        long listener_id, string uuid, HttpContext context, HubDatabase database, EventUuids uuids, OutboxQueue queue, HubNode node, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        return await RedeliverAsync(db, uuids, queue, node, clock, Owner.Of(context), listener_id, uuid, cancellationToken);
    }

    /// <summary>Queues a settled event of a listener visible from the owner's base again: 202 with the event, 404, or 409 while it is pending.</summary>
    public static async Task<IResult> RedeliverAsync(
        HubConnection db, EventUuids uuids, OutboxQueue queue, HubNode node, TimeProvider clock, Owner owner, long listenerId, string uuid, CancellationToken cancellationToken)
    {
        if (await Listeners.FindVisibleAsync(db, owner, listenerId, cancellationToken) is null)
        {
            return ApiResults.NotFound("Listener");
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (await EventTable.FindAsync(db, uuids, listenerId, uuid, cancellationToken) is not { } found)
        {
            return ApiResults.NotFound("Event");
        }
        if (!await EventTable.RedeliverAsync(db, found, now, node.Id, cancellationToken))
        {
            return ApiResults.Error(StatusCodes.Status409Conflict, "The event is still pending: it is queued for delivery already. Redeliver it once it is delivered, failed or suppressed.");
        }
        var row = (await EventTable.FindAsync(db, uuids, listenerId, uuid, cancellationToken))!;
        // Committed: the worker reads the event back from storage when due.
        queue.Later(row.Key, now);
        return TypedResults.Json(EventDelivery.Of(row), ApiJsonContext.Relaxed.EventDelivery, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> Replay(
        long listener_id, HttpContext context, HubDatabase database, ReplayWorker replays, HubNode node, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadObjectAsync(context.Request);
        if (document is null)
        {
            return error!;
        }
        using (document)
        {
            return await ReplayAsync(database, replays, node, clock, Owner.Of(context), listener_id, document.RootElement, cancellationToken);
        }
    }

    /// <summary>
    /// A replay (delivery.md, Replay) of a listener visible from the owner's base, from a replay
    /// body: 202 with how many events are queued again, 404 or 422. The dashboard's replay calls it too.
    /// </summary>
    public static async Task<IResult> ReplayAsync(
        HubDatabase database, ReplayWorker replays, HubNode node, TimeProvider clock, Owner owner, long listenerId, JsonElement body, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        errors.RejectUnknown(body, "status", "since", "until");
        var status = errors.OneOf(body, "status", required: false, EventStatus.Delivered, EventStatus.Failed, EventStatus.Suppressed) ?? EventStatus.Failed;
        var since = errors.Integer(body, "since", required: true, min: 0, max: MaxUnixSeconds);
        var until = errors.Integer(body, "until", required: false, nullable: true, min: 0, max: MaxUnixSeconds);
        if (since is { } from && until is { } to && to <= from)
        {
            errors.Add("until", "must be later than since, or null");
        }
        if (errors.Any)
        {
            return ApiResults.Invalid(errors.All);
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        if (await Listeners.FindVisibleAsync(db, owner, listenerId, cancellationToken) is not { } listener)
        {
            return ApiResults.NotFound("Listener");
        }
        var queued = await ReplayTable.CreateAsync(db, listener.VoipId, listenerId, status, since!.Value * 1000, until is { } end ? end * 1000 : long.MaxValue,
            node.Id, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        replays.Wake();
        return TypedResults.Json(new ReplayQueued(queued), ApiJsonContext.Relaxed.ReplayQueued, statusCode: StatusCodes.Status202Accepted);
    }

    // Year 9999: later times cannot be stored in milliseconds of a 64-bit integer without care, and mean nothing here.
    private const long MaxUnixSeconds = 253_402_300_799;
}

/// <summary>A replay body (api.md, Deliveries): <c>status</c> failed, suppressed or delivered (default failed), <c>since</c> and <c>until</c> UNIX seconds.</summary>
internal sealed record ReplayRequest(long Since, [property: RefusesNull, AllowedValues(EventStatus.Failed, EventStatus.Suppressed, EventStatus.Delivered)] string? Status = null, long? Until = null);

/// <summary>How many events a replay queues again.</summary>
internal sealed record ReplayQueued(long Queued);
