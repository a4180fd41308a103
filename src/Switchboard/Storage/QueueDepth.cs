using System.Data.Common;

namespace Switchboard.Storage;

/// <summary>
/// How much delivery work storage holds, across every node: activities with events not yet tried,
/// events waiting for a retry, and when the oldest activity with an open event was acknowledged
/// (UNIX ms; null when nothing is open).
/// </summary>
internal sealed record QueueDepth(long OpenActivities, long RetryingEvents, long? OldestOpenAt)
{
    // Activity ids grow with acknowledgement time, so the oldest open activity is the lowest id of either kind.
    private const string Sql = """
        SELECT (SELECT count(*) FROM open_activities),
               (SELECT count(*) FROM deliveries WHERE status = 'pending'),
               (SELECT min(created_at) FROM activities
                 WHERE id IN ((SELECT min(activity_id) FROM open_activities), (SELECT min(activity_id) FROM deliveries WHERE status = 'pending')))
        """;

    public static async Task<QueueDepth> ReadAsync(HubConnection db, CancellationToken cancellationToken) =>
        (await HubConnection.FirstOrDefaultAsync(db.Command(Sql), Read, cancellationToken))!;

    private static QueueDepth Read(DbDataReader r) => new(r.GetInt64(0), r.GetInt64(1), r.GetNullableInt64(2));
}
