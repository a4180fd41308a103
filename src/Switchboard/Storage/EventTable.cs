using System.Data.Common;
using System.Text;
using System.Text.Json;

namespace Switchboard.Storage;

/// <summary>
/// One row of a listener's delivery log: the event, the activity fields it shows, and where its
/// delivery stands. Times are UNIX milliseconds. An event that has had no outcome yet has no
/// deliveries row and reads as pending with no attempts.
/// </summary>
internal sealed record LoggedEvent(
    EventKey Key, string Uuid, long ListenerId, long? ExtensionId, string Version, long CallbackId, string Status, int Attempts,
    long? NextAttemptAt, long? LastAttemptAt, string? StatusReason, StoredActivity Activity);

/// <summary>One delivery attempt of an event (api.md, Deliveries); <see cref="At"/> in UNIX milliseconds.</summary>
internal sealed record LoggedAttempt(long At, long CallbackId, string? Url, int? StatusCode, int DurationMs, string? Error);

/// <summary>
/// The SQL of the delivery log: a listener's events are its deliveries rows (events with an
/// outcome) and the events of open activities that have none yet, newest activity first.
/// </summary>
internal static class EventTable
{
    private const string DeliveryColumns = "d.activity_id, d.slot, d.callback_id, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, d.status_reason, d.uuid";

    /// <summary>
    /// A page of the listener's events, newest first. Rows with an outcome come from
    /// deliveries by its primary key; the ones without are found among the account's open
    /// activities, a small set unless delivery is far behind.
    /// </summary>
    public static async Task<PageRows<LoggedEvent>> PageAsync(
        HubConnection db, EventUuids uuids, long voipId, long listenerId, string? status, string? dataType, int limit, int offset, CancellationToken cancellationToken)
    {
        var where = new StringBuilder("d.listener_id = @listener_id");
        if (status is not null)
        {
            where.Append(" AND d.status = @status");
        }
        if (dataType is not null)
        {
            where.Append(" AND a.data_type = @data_type");
        }
        DbCommand Command(string sql)
        {
            var command = db.Command(sql).With("@listener_id", listenerId);
            if (status is not null)
            {
                command.With("@status", status);
            }
            return dataType is null ? command : command.With("@data_type", dataType);
        }

        var fresh = status is null or "pending" ? await WithoutOutcomeAsync(db, uuids, voipId, listenerId, dataType, cancellationToken) : [];
        var join = "JOIN activities a ON a.id = d.activity_id";
        var total = fresh.Count + await HubConnection.Int64Async(Command($"SELECT COUNT(*) FROM deliveries d {(dataType is null ? "" : join)} WHERE {where}"), cancellationToken);
        if (total <= offset)
        {
            return new PageRows<LoggedEvent>(total, []);
        }
        // The page's rows of deliveries are among its first offset + limit: merged with the
        // rows without an outcome, they give the page as one list would.
        var logged = await HubConnection.ListAsync(
            Command($"SELECT {DeliveryColumns}, {OutboxReads.ActivityColumns} FROM deliveries d {join} WHERE {where} ORDER BY d.activity_id DESC LIMIT @limit")
                .With("@limit", offset + limit),
            r => Read(r, uuids, listenerId), cancellationToken);
        var items = logged.Concat(fresh).OrderByDescending(e => e.Key.ActivityId).Skip(offset).Take(limit).ToList();
        return new PageRows<LoggedEvent>(total, await WithWaitsAsync(db, uuids, items, cancellationToken));
    }

    /// <summary>The listener's event with this uuid, or null.</summary>
    public static async Task<LoggedEvent?> FindAsync(HubConnection db, EventUuids uuids, long listenerId, string uuid, CancellationToken cancellationToken)
    {
        var found = (uuids.TryRead(uuid, out var createdAt, out var key) ? await FindAsync(db, uuids, listenerId, createdAt, key.Value, cancellationToken) : null)
            // Events from before schema version 7 keep the random uuid they were sent with.
            ?? await HubConnection.FirstOrDefaultAsync(
                db.Command($"SELECT {DeliveryColumns}, {OutboxReads.ActivityColumns} FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE d.uuid = @uuid AND d.listener_id = @listener_id")
                    .With("@uuid", uuid).With("@listener_id", listenerId),
                r => Read(r, uuids, listenerId), cancellationToken);
        return found is null ? null : (await WithWaitsAsync(db, uuids, [found], cancellationToken))[0];
    }

    /// <summary>
    /// delivery.md, Ordered listeners: a pending event of an ordered listener behind an earlier
    /// one of its object that has not ended says which one it waits for.
    /// </summary>
    private static async Task<List<LoggedEvent>> WithWaitsAsync(HubConnection db, EventUuids uuids, List<LoggedEvent> events, CancellationToken cancellationToken)
    {
        Dictionary<string, (EventKey Key, long CreatedAt)?>? heads = null;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Status != "pending" || e.Key.Slot >= e.Activity.Targets.Count || !e.Activity.Targets[e.Key.Slot].Ordered)
            {
                continue;
            }
            heads ??= [];
            if (!heads.TryGetValue(e.Activity.DataObjectUuid, out var head))
            {
                head = await HubConnection.ListAsync(
                    db.Command("""
                        SELECT o.activity_id, o.slot, a.created_at FROM ordered_events o JOIN activities a ON a.id = o.activity_id
                        WHERE o.listener_id = @listener_id AND o.object_uuid = @object ORDER BY o.activity_id LIMIT 1
                        """).With("@listener_id", e.ListenerId).With("@object", e.Activity.DataObjectUuid),
                    r => ((EventKey Key, long CreatedAt)?)(new EventKey(r.GetInt64(0), r.GetInt32(1)), r.GetInt64(2)), cancellationToken) is [var first] ? first : null;
                heads[e.Activity.DataObjectUuid] = head;
            }
            if (head is { } earlier && earlier.Key.ActivityId < e.Key.ActivityId)
            {
                events[i] = e with { StatusReason = $"waits for event {uuids.Format(earlier.CreatedAt, earlier.Key)} of the same {e.Activity.DataType} to be delivered or to end" };
            }
        }
        return events;
    }

    private static async Task<LoggedEvent?> FindAsync(HubConnection db, EventUuids uuids, long listenerId, long createdAt, EventKey key, CancellationToken cancellationToken)
    {
        var activity = await HubConnection.FirstOrDefaultAsync(
            db.Command($"SELECT {OutboxReads.ActivityColumns} FROM activities a WHERE a.id = @id").With("@id", key.ActivityId),
            r => OutboxReads.ReadActivity(r), cancellationToken);
        if (activity is null || activity.CreatedAt != createdAt || key.Slot >= activity.Targets.Count || activity.Targets[key.Slot].ListenerId != listenerId)
        {
            return null;
        }
        return await HubConnection.FirstOrDefaultAsync(
                db.Command($"SELECT {DeliveryColumns}, {OutboxReads.ActivityColumns} FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE d.listener_id = @listener_id AND d.activity_id = @id")
                    .With("@listener_id", listenerId).With("@id", activity.Id),
                r => Read(r, uuids, listenerId), cancellationToken)
            ?? Fresh(activity, key.Slot, uuids);
    }

    /// <summary>Every attempt of the event, oldest first: those in attempts, and a successful last one kept in its deliveries row.</summary>
    public static async Task<List<LoggedAttempt>> AttemptsAsync(HubConnection db, long listenerId, long activityId, CancellationToken cancellationToken)
    {
        var attempts = await HubConnection.ListAsync(
            db.Command("SELECT at, callback_id, url, status_code, duration_ms, error FROM attempts WHERE listener_id = @listener_id AND activity_id = @activity_id ORDER BY id")
                .With("@listener_id", listenerId).With("@activity_id", activityId),
            ReadAttempt, cancellationToken);
        attempts.AddRange(await HubConnection.ListAsync(
            db.Command("""
                SELECT last_attempt_at, callback_id, url, status_code, duration_ms, NULL FROM deliveries
                WHERE listener_id = @listener_id AND activity_id = @activity_id AND duration_ms IS NOT NULL
                """).With("@listener_id", listenerId).With("@activity_id", activityId),
            ReadAttempt, cancellationToken));
        return attempts;
    }

    /// <summary>
    /// Queues a settled event again, in one transaction so that two requests cannot both queue
    /// it: pending, due now, with a fresh count of tries, back with the listener's own callback
    /// (the fallback chain starts over), held by the node that queued it; a successful last
    /// attempt moves to attempts, so the log keeps it. False when the event is pending (with or without a row) or not there.
    /// </summary>
    public static async Task<bool> RedeliverAsync(HubConnection db, LoggedEvent logged, long nowMs, string nodeId, CancellationToken cancellationToken)
    {
        var (listenerId, activityId) = (logged.ListenerId, logged.Key.ActivityId);
        await db.BeginAsync(cancellationToken);
        await HubConnection.ExecuteAsync(
            db.Command("""
                INSERT INTO attempts (listener_id, activity_id, voip_id, callback_id, at, url, status_code, duration_ms, error)
                SELECT listener_id, activity_id, voip_id, callback_id, last_attempt_at, url, status_code, duration_ms, NULL FROM deliveries
                WHERE listener_id = @listener_id AND activity_id = @activity_id AND status <> 'pending' AND duration_ms IS NOT NULL
                """).With("@listener_id", listenerId).With("@activity_id", activityId),
            cancellationToken);
        var changed = await HubConnection.ExecuteAsync(
            db.Command("""
                UPDATE deliveries SET status = 'pending', tries = 0, next_attempt_at = @now, status_reason = NULL, status_code = NULL, duration_ms = NULL, url = NULL, node_id = @node,
                    callback_id = COALESCE((SELECT l.callback_id FROM listeners l WHERE l.id = deliveries.listener_id), callback_id)
                WHERE listener_id = @listener_id AND activity_id = @activity_id AND status <> 'pending'
                """).With("@listener_id", listenerId).With("@activity_id", activityId).With("@now", nowMs).With("@node", nodeId),
            cancellationToken);
        if (changed == 1 && logged.Key.Slot < logged.Activity.Targets.Count && logged.Activity.Targets[logged.Key.Slot].Ordered)
        {
            // An ordered listener's event goes again in its place in its object's order.
            await OrderedEventTable.EnterAsync(db, listenerId, logged.Activity.DataObjectUuid, logged.Key, cancellationToken);
        }
        await db.CommitAsync(cancellationToken);
        return changed == 1;
    }

    private static async Task<List<LoggedEvent>> WithoutOutcomeAsync(
        HubConnection db, EventUuids uuids, long voipId, long listenerId, string? dataType, CancellationToken cancellationToken)
    {
        var open = await HubConnection.ListAsync(
            db.Command($"""
                SELECT {OutboxReads.ActivityColumns} FROM open_activities o JOIN activities a ON a.id = o.activity_id
                WHERE o.voip_id = @voip_id {(dataType is null ? "" : "AND a.data_type = @data_type")}
                AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.listener_id = @listener_id AND d.activity_id = o.activity_id)
                """).With("@voip_id", voipId).With("@listener_id", listenerId).With("@data_type", dataType),
            r => OutboxReads.ReadActivity(r), cancellationToken);
        var fresh = new List<LoggedEvent>();
        foreach (var activity in open)
        {
            for (var slot = 0; slot < activity.Targets.Count; slot++)
            {
                if (activity.Targets[slot].ListenerId == listenerId)
                {
                    fresh.Add(Fresh(activity, slot, uuids));
                }
            }
        }
        return fresh;
    }

    private static LoggedEvent Fresh(StoredActivity activity, int slot, EventUuids uuids)
    {
        var key = new EventKey(activity.Id, slot);
        var target = activity.Targets[slot];
        return new LoggedEvent(key, uuids.Format(activity.CreatedAt, key), target.ListenerId, target.ExtensionId, target.Version, target.CallbackId,
            "pending", 0, activity.CreatedAt, null, null, activity);
    }

    private static LoggedEvent Read(DbDataReader reader, EventUuids uuids, long listenerId)
    {
        var activity = OutboxReads.ReadActivity(reader, 9);
        var key = new EventKey(reader.GetInt64(0), reader.GetInt32(1));
        var target = activity.Targets.Count > key.Slot ? activity.Targets[key.Slot] : new Matching.EventTarget(listenerId, reader.GetInt64(2), null, "2.0.0");
        return new LoggedEvent(
            key, reader.GetNullableString(8) ?? uuids.Format(activity.CreatedAt, key), listenerId, target.ExtensionId, target.Version, reader.GetInt64(2),
            reader.GetString(3), reader.GetInt32(4), reader.GetNullableInt64(5), reader.GetNullableInt64(6), reader.GetNullableString(7), activity);
    }

    private static LoggedAttempt ReadAttempt(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetNullableString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetInt32(4), reader.GetNullableString(5));
}
