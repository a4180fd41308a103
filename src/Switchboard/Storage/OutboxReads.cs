using System.Data.Common;
using System.Text;
using System.Text.Json;

namespace Switchboard.Storage;

/// <summary>Where an event with a deliveries row stands: status, the callback it is with, its counts, and a uuid from before schema version 7.</summary>
internal sealed record EventState(string Status, long CallbackId, int Attempts, int Tries, long? NextAttemptAt, string? LegacyUuid);

/// <summary>An event to deliver as storage holds it: its activity, its slot, and its row if it has one.</summary>
internal sealed record PendingEvent(StoredActivity Activity, int Slot, EventState? State);

/// <summary>
/// What delivery reads back from the outbox: events that never had an outcome (open activities,
/// after a restart or when memory was full), events waiting for another try, and due events by key.
/// </summary>
internal static class OutboxReads
{
    public const string ActivityColumns = "a.id, a.voip_id, a.data_type, a.data_object_uuid, a.timestamp_ns, a.tags, a.data, a.created_at, a.targets";

    public static StoredActivity ReadActivity(DbDataReader reader, int first = 0) => new(
        reader.GetInt64(first), reader.GetInt64(first + 1), reader.GetString(first + 2), reader.GetString(first + 3), reader.GetInt64(first + 4),
        JsonSerializer.Deserialize(reader.GetString(first + 5), StorageJsonContext.Default.StringArray)!, Encoding.UTF8.GetBytes(reader.GetString(first + 6)),
        reader.GetInt64(first + 7), TargetsJson.Read(reader.GetString(first + 8)));

    /// <summary>
    /// Open activities that node <paramref name="nodeId"/> holds, from <paramref name="fromActivityId"/>
    /// on, in id order, each with the slots that have no deliveries row: the events that have had no outcome yet.
    /// </summary>
    public static async Task<List<(StoredActivity Activity, List<int> Rowless)>> OpenPageAsync(HubConnection db, string nodeId, long fromActivityId, int limit, CancellationToken cancellationToken)
    {
        var activities = await HubConnection.ListAsync(
            db.Command($"SELECT {ActivityColumns} FROM open_activities o JOIN activities a ON a.id = o.activity_id WHERE o.node_id = @node AND o.activity_id >= @from ORDER BY o.activity_id LIMIT @limit")
                .With("@node", nodeId).With("@from", fromActivityId).With("@limit", limit),
            r => ReadActivity(r), cancellationToken);
        return await WithRowlessAsync(db, activities, cancellationToken);
    }

    /// <summary>These activities (taken over from a node that is gone), each with the slots that have no deliveries row.</summary>
    public static async Task<List<(StoredActivity Activity, List<int> Rowless)>> OpenByIdAsync(HubConnection db, IReadOnlyList<long> ids, CancellationToken cancellationToken) =>
        await WithRowlessAsync(db, [.. (await ActivitiesAsync(db, ids, cancellationToken)).Values.OrderBy(a => a.Id)], cancellationToken);

    private static async Task<List<(StoredActivity, List<int>)>> WithRowlessAsync(HubConnection db, List<StoredActivity> activities, CancellationToken cancellationToken)
    {
        var withRow = await WithRowsAsync(db, activities.SelectMany(a => a.Targets.Select(t => (t.ListenerId, a.Id))), cancellationToken);
        var page = new List<(StoredActivity, List<int>)>(activities.Count);
        foreach (var activity in activities)
        {
            var rowless = new List<int>(activity.Targets.Count);
            for (var slot = 0; slot < activity.Targets.Count; slot++)
            {
                if (!withRow.Contains((activity.Targets[slot].ListenerId, activity.Id)))
                {
                    rowless.Add(slot);
                }
            }
            page.Add((activity, rowless));
        }
        return page;
    }

    // Pairs per statement: two parameters each, well within what SQLite and PostgreSQL take.
    private const int PairsPerStatement = 1_000;

    /// <summary>Which of these (listener, activity) events have a deliveries row: one statement per thousand, by primary key.</summary>
    public static async Task<HashSet<(long ListenerId, long ActivityId)>> WithRowsAsync(HubConnection db, IEnumerable<(long ListenerId, long ActivityId)> events, CancellationToken cancellationToken)
    {
        var found = new HashSet<(long, long)>();
        foreach (var chunk in events.Chunk(PairsPerStatement))
        {
            foreach (var row in await HubConnection.ListAsync(ByPairs(db, "listener_id, activity_id", chunk), r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken))
            {
                found.Add(row);
            }
        }
        return found;
    }

    private static async Task<Dictionary<long, StoredActivity>> ActivitiesAsync(HubConnection db, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        var command = db.Command("");
        command.CommandText = $"SELECT {ActivityColumns} FROM activities a WHERE a.id IN ({command.WithList("@p", ids)})";
        return (await HubConnection.ListAsync(command, r => ReadActivity(r), cancellationToken)).ToDictionary(a => a.Id);
    }

    /// <summary>Every event node <paramref name="nodeId"/> holds that waits for another try (or was queued again by a redelivery), with when it is due.</summary>
    public static Task<List<(EventKey Key, long DueAt)>> WaitingAsync(HubConnection db, string nodeId, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            db.Command("SELECT activity_id, slot, next_attempt_at FROM deliveries WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND node_id = @node").With("@node", nodeId),
            r => (new EventKey(r.GetInt64(0), r.GetInt32(1)), r.GetInt64(2)), cancellationToken);

    /// <summary>The events with these keys that are still pending, with their rows if they have one: a statement for the activities and one per thousand rows.</summary>
    public static async Task<List<PendingEvent>> PendingAsync(HubConnection db, IReadOnlyList<EventKey> keys, CancellationToken cancellationToken)
    {
        var activities = await ActivitiesAsync(db, [.. keys.Select(k => k.ActivityId).Distinct()], cancellationToken);
        var wanted = keys.Where(k => activities.TryGetValue(k.ActivityId, out var a) && k.Slot < a.Targets.Count)
            .Select(k => (Key: k, ListenerId: activities[k.ActivityId].Targets[k.Slot].ListenerId)).ToList();
        var rows = new Dictionary<(long ListenerId, long ActivityId), EventState>();
        foreach (var chunk in wanted.Chunk(PairsPerStatement))
        {
            var command = ByPairs(db, "listener_id, activity_id, status, callback_id, attempts, tries, next_attempt_at, uuid", [.. chunk.Select(w => (w.ListenerId, w.Key.ActivityId))]);
            foreach (var (key, state) in await HubConnection.ListAsync(command, r => ((r.GetInt64(0), r.GetInt64(1)), ReadState(r, 2)), cancellationToken))
            {
                rows[key] = state;
            }
        }
        var pending = new List<PendingEvent>(wanted.Count);
        foreach (var (key, listenerId) in wanted)
        {
            var row = rows.GetValueOrDefault((listenerId, key.ActivityId));
            if (row is null || row.Status == "pending")
            {
                pending.Add(new PendingEvent(activities[key.ActivityId], key.Slot, row));
            }
        }
        return pending;
    }

    /// <summary>Reads <paramref name="columns"/> of the deliveries rows of these (listener, activity) pairs, by primary key.</summary>
    private static DbCommand ByPairs(HubConnection db, string columns, IReadOnlyList<(long ListenerId, long ActivityId)> pairs)
    {
        var command = db.Command("");
        var list = new StringBuilder();
        for (var i = 0; i < pairs.Count; i++)
        {
            var n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            list.Append(i == 0 ? "" : ", ").Append("(@l").Append(n).Append(", @a").Append(n).Append(')');
            command.With("@l" + n, pairs[i].ListenerId).With("@a" + n, pairs[i].ActivityId);
        }
        command.CommandText = $"SELECT {columns} FROM deliveries WHERE (listener_id, activity_id) IN ({list})";
        return command;
    }

    public static EventState ReadState(DbDataReader reader, int first = 0) => new(
        reader.GetString(first), reader.GetInt64(first + 1), reader.GetInt32(first + 2), reader.GetInt32(first + 3),
        reader.GetNullableInt64(first + 4), reader.GetNullableString(first + 5));
}
