namespace Switchboard.Storage;

/// <summary>A hub process as the nodes table holds it.</summary>
internal sealed record NodeRow(string Id, string Host, long StartedAt, long HeartbeatAt);

/// <summary>
/// The SQL of <c>nodes</c> and of the work they hold (migration 0010): registration, heartbeats,
/// and taking over what nodes without a live heartbeat held.
/// </summary>
internal static class NodeTable
{
    private const string Orphaned = "(node_id IS NULL OR node_id NOT IN (SELECT id FROM nodes))";

    public static Task RegisterAsync(HubConnection db, NodeRow node, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command("""
                INSERT INTO nodes (id, host, started_at, heartbeat_at) VALUES (@id, @host, @started_at, @heartbeat_at)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                """).With("@id", node.Id).With("@host", node.Host).With("@started_at", node.StartedAt).With("@heartbeat_at", node.HeartbeatAt),
            cancellationToken);

    /// <summary>Forgets the nodes whose heartbeat is older than <paramref name="cutoff"/> (all others but <paramref name="keep"/> when it is null); how many.</summary>
    public static Task<int> ExpireAsync(HubConnection db, string keep, long? cutoff, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command($"DELETE FROM nodes WHERE id <> @keep{(cutoff is null ? "" : " AND heartbeat_at < @cutoff")}").With("@keep", keep).With("@cutoff", cutoff),
            cancellationToken);

    /// <summary>How many nodes have a heartbeat at <paramref name="cutoff"/> or later.</summary>
    public static async Task<int> CountLiveAsync(HubConnection db, long cutoff, CancellationToken cancellationToken) =>
        (int)await HubConnection.Int64Async(db.Command("SELECT COUNT(*) FROM nodes WHERE heartbeat_at >= @cutoff").With("@cutoff", cutoff), cancellationToken);

    /// <summary>A graceful stop: the others may take what this node still holds at once.</summary>
    public static Task LeaveAsync(HubConnection db, string id, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(db.Command("DELETE FROM nodes WHERE id = @id").With("@id", id), cancellationToken);

    public static Task<List<NodeRow>> ListAsync(HubConnection db, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(db.Command("SELECT id, host, started_at, heartbeat_at FROM nodes ORDER BY started_at, id"),
            r => new NodeRow(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)), cancellationToken);

    /// <summary>
    /// Takes every open activity and waiting event that no registered node holds: the ids of the
    /// activities, and the keys of the waiting events with when each is due. Two nodes taking at
    /// once each get their own rows: the second finds a row it waited for held by the first.
    /// </summary>
    public static async Task<(List<long> Activities, List<(EventKey Key, long DueAt)> Waiting)> TakeOrphansAsync(HubConnection db, string id, CancellationToken cancellationToken)
    {
        await db.BeginAsync(cancellationToken);
        var activities = await HubConnection.ListAsync(
            db.Command($"UPDATE open_activities SET node_id = @id WHERE {Orphaned} RETURNING activity_id").With("@id", id),
            r => r.GetInt64(0), cancellationToken);
        var waiting = await HubConnection.ListAsync(
            db.Command($"UPDATE deliveries SET node_id = @id WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND {Orphaned} RETURNING activity_id, slot, next_attempt_at").With("@id", id),
            r => (new EventKey(r.GetInt64(0), r.GetInt32(1)), r.GetInt64(2)), cancellationToken);
        await db.CommitAsync(cancellationToken);
        activities.Sort();
        return (activities, waiting);
    }
}
