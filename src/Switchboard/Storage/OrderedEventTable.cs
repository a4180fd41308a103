namespace Switchboard.Storage;

/// <summary>
/// The SQL of <c>ordered_events</c> (migration 0012): the events of ordered listeners that have not
/// ended, by listener and data object. The writer adds them with their activity and removes each
/// with its final outcome (OutboxWrites); delivery reads which one of an object goes first.
/// </summary>
internal static class OrderedEventTable
{
    public const string InsertSql = "INSERT INTO ordered_events (listener_id, object_uuid, activity_id, slot) VALUES (@p0, @p1, @p2, @p3) ON CONFLICT DO NOTHING";

    public const string DeleteSql = "DELETE FROM ordered_events WHERE listener_id = @p0 AND object_uuid = @p1 AND activity_id = @p2";

    /// <summary>The first event of every (listener, object) that has one not ended: what goes first after a restart.</summary>
    public static Task<List<(long ListenerId, string ObjectUuid, long ActivityId)>> HeadsAsync(HubConnection db, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            db.Command("SELECT listener_id, object_uuid, MIN(activity_id) FROM ordered_events GROUP BY listener_id, object_uuid"),
            r => (r.GetInt64(0), r.GetString(1), r.GetInt64(2)), cancellationToken);

    /// <summary>
    /// The first event of the listener's object that has not ended, whichever node holds it, with
    /// when its next try is due if it waits for one; null when none.
    /// </summary>
    public static async Task<(long ActivityId, long? NextAttemptAt)?> FirstAsync(HubConnection db, long listenerId, string objectUuid, CancellationToken cancellationToken) =>
        await HubConnection.ListAsync(
            db.Command("""
                SELECT o.activity_id, d.next_attempt_at FROM ordered_events o
                LEFT JOIN deliveries d ON d.listener_id = o.listener_id AND d.activity_id = o.activity_id
                WHERE o.listener_id = @listener AND o.object_uuid = @object ORDER BY o.activity_id LIMIT 1
                """).With("@listener", listenerId).With("@object", objectUuid),
            r => ((long, long?)?)(r.GetInt64(0), r.GetNullableInt64(1)), cancellationToken) is [var first] ? first : null;

    /// <summary>Puts events queued again (a redelivery, a replay) back in their object's order.</summary>
    public static Task<int> EnterAsync(HubConnection db, long listenerId, string objectUuid, EventKey key, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command(InsertSql).With("@p0", listenerId).With("@p1", objectUuid).With("@p2", key.ActivityId).With("@p3", key.Slot),
            cancellationToken);
}
