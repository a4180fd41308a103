namespace Switchboard.Storage;

/// <summary>A bulk replay as the <c>replays</c> table holds it; times in UNIX ms.</summary>
internal sealed record ReplayRow(long Id, long VoipId, long ListenerId, string Status, long SinceMs, long UntilMs, long FromActivityId, long ToActivityId);

/// <summary>An event a replay batch queued again, in activity order.</summary>
internal sealed record ReplayedEvent(EventKey Key, string ObjectUuid, bool Ordered);

/// <summary>
/// The SQL of bulk replays (delivery.md, Replay; migration 0012): how many events a replay
/// covers, the replay itself, and each batch that queues the next of its events again.
/// </summary>
internal static class ReplayTable
{
    /// <summary>Events one batch queues again: a writer turn of a few milliseconds, so live traffic goes on between batches.</summary>
    public const int BatchSize = 500;

    // Nodes stamp an activity with their own clock: an activity committed by another node can sit
    // this far out of id order, so the id range is widened by it and the time range decides.
    private const long ClockSlackMs = 60_000;

    private const string Matching = """
        FROM deliveries d JOIN activities a ON a.id = d.activity_id
        WHERE d.listener_id = @listener AND d.status = @status AND d.activity_id >= @from AND d.activity_id < @to
        AND a.created_at >= @since AND a.created_at < @until
        """;

    /// <summary>
    /// Records a replay of the listener's events with <paramref name="status"/> whose activities
    /// were acknowledged in [<paramref name="sinceMs"/>, <paramref name="untilMs"/>); how many there are.
    /// </summary>
    public static async Task<long> CreateAsync(HubConnection db, long voipId, long listenerId, string status, long sinceMs, long untilMs, string nodeId, long now, CancellationToken cancellationToken)
    {
        var from = await FirstActivityAtAsync(db, sinceMs - ClockSlackMs, cancellationToken) ?? long.MaxValue;
        var to = await FirstActivityAtAsync(db, untilMs == long.MaxValue ? long.MaxValue : untilMs + ClockSlackMs, cancellationToken) ?? long.MaxValue;
        var count = await HubConnection.Int64Async(
            Bind(db.Command($"SELECT COUNT(*) {Matching}"), listenerId, status, from, to, sinceMs, untilMs), cancellationToken);
        if (count > 0)
        {
            await HubConnection.ExecuteAsync(
                db.Command("""
                    INSERT INTO replays (voip_id, listener_id, status, since_ms, until_ms, from_activity_id, to_activity_id, queued, node_id, created_at)
                    VALUES (@voip_id, @listener, @status, @since, @until, @from, @to, @queued, @node, @now)
                    """).With("@voip_id", voipId).With("@listener", listenerId).With("@status", status).With("@since", sinceMs).With("@until", untilMs)
                    .With("@from", from).With("@to", to).With("@queued", count).With("@node", nodeId).With("@now", now),
                cancellationToken);
        }
        return count;
    }

    /// <summary>The replays not done that node <paramref name="nodeId"/> holds, after taking those no live node holds.</summary>
    public static async Task<List<ReplayRow>> OpenAsync(HubConnection db, string nodeId, CancellationToken cancellationToken)
    {
        await HubConnection.ExecuteAsync(
            db.Command("UPDATE replays SET node_id = @node WHERE done_at IS NULL AND (node_id IS NULL OR node_id NOT IN (SELECT id FROM nodes))").With("@node", nodeId),
            cancellationToken);
        return await HubConnection.ListAsync(
            db.Command("SELECT id, voip_id, listener_id, status, since_ms, until_ms, from_activity_id, to_activity_id FROM replays WHERE done_at IS NULL AND node_id = @node ORDER BY id")
                .With("@node", nodeId),
            r => new ReplayRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7)), cancellationToken);
    }

    /// <summary>
    /// Queues the replay's next events again (as a redelivery does each: pending, due now, a fresh
    /// count of tries, the listener's own callback, a successful last attempt kept in attempts,
    /// an ordered listener's back in their object's order) and moves the replay past them; call
    /// in a write transaction. The events queued, in activity order; fewer than a batch when done.
    /// </summary>
    public static async Task<List<ReplayedEvent>> NextBatchAsync(HubConnection db, ReplayRow replay, string nodeId, long now, CancellationToken cancellationToken)
    {
        var batch = await HubConnection.ListAsync(
            Bind(db.Command($"SELECT d.activity_id, d.slot, a.data_object_uuid, a.targets {Matching} ORDER BY d.activity_id LIMIT {BatchSize}"),
                replay.ListenerId, replay.Status, replay.FromActivityId, replay.ToActivityId, replay.SinceMs, replay.UntilMs),
            r => new ReplayedEvent(new EventKey(r.GetInt64(0), r.GetInt32(1)), r.GetString(2), TargetsJson.Read(r.GetString(3)) is var targets && r.GetInt32(1) < targets.Length && targets[r.GetInt32(1)].Ordered),
            cancellationToken);
        if (batch.Count > 0)
        {
            // The names Requeue binds the batch's activity ids to.
            var list = string.Join(", ", batch.Select((_, i) => "@a" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await HubConnection.ExecuteAsync(
                Requeue(db, $"""
                    INSERT INTO attempts (listener_id, activity_id, voip_id, callback_id, at, url, status_code, duration_ms, error)
                    SELECT listener_id, activity_id, voip_id, callback_id, last_attempt_at, url, status_code, duration_ms, NULL FROM deliveries
                    WHERE listener_id = @listener AND status = @status AND duration_ms IS NOT NULL AND activity_id IN ({list})
                    """, replay, batch),
                cancellationToken);
            await HubConnection.ExecuteAsync(
                Requeue(db, $"""
                    UPDATE deliveries SET status = 'pending', tries = 0, next_attempt_at = @now, status_reason = NULL, status_code = NULL, duration_ms = NULL, url = NULL, node_id = @node,
                        callback_id = COALESCE((SELECT l.callback_id FROM listeners l WHERE l.id = deliveries.listener_id), callback_id)
                    WHERE listener_id = @listener AND status = @status AND activity_id IN ({list})
                    """, replay, batch).With("@now", now).With("@node", nodeId),
                cancellationToken);
            foreach (var e in batch.Where(e => e.Ordered))
            {
                await OrderedEventTable.EnterAsync(db, replay.ListenerId, e.ObjectUuid, e.Key, cancellationToken);
            }
        }
        var done = batch.Count < BatchSize;
        await HubConnection.ExecuteAsync(
            db.Command("UPDATE replays SET from_activity_id = @from, done_at = @done WHERE id = @id")
                .With("@from", batch.Count > 0 ? batch[^1].Key.ActivityId + 1 : replay.FromActivityId).With("@done", done ? now : null).With("@id", replay.Id),
            cancellationToken);
        return batch;
    }

    private static System.Data.Common.DbCommand Requeue(HubConnection db, string sql, ReplayRow replay, List<ReplayedEvent> batch)
    {
        var command = db.Command(sql).With("@listener", replay.ListenerId).With("@status", replay.Status);
        command.WithList("@a", batch.Select(e => e.Key.ActivityId));
        return command;
    }

    /// <summary>The first activity acknowledged at <paramref name="atMs"/> or later (the index on created_at); null when none.</summary>
    private static async Task<long?> FirstActivityAtAsync(HubConnection db, long atMs, CancellationToken cancellationToken)
    {
        await using var command = db.Command("SELECT MIN(id) FROM activities WHERE created_at >= @at").With("@at", atMs);
        return await command.ExecuteScalarAsync(cancellationToken) is { } id and not DBNull ? Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static System.Data.Common.DbCommand Bind(System.Data.Common.DbCommand command, long listenerId, string status, long from, long to, long since, long until) =>
        command.With("@listener", listenerId).With("@status", status).With("@from", from).With("@to", to).With("@since", since).With("@until", until);
}
