using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.Delivery;
using Switchboard.Events;
using Switchboard.Matching;

namespace Switchboard.Storage;

/// <summary>
/// The statements of one writer turn (docs/delivery.md, Durability), all in one transaction:
/// activities appended with their idempotency keys, outcomes recorded, callback health kept.
/// Each statement is prepared once per turn and run with new values for every row.
/// </summary>
internal sealed class OutboxWrites : IAsyncDisposable
{
    private static readonly long KeyLifetimeMs = (long)TimeSpan.FromHours(24).TotalMilliseconds;

    private readonly HubConnection _db;
    private readonly long _now;
    private readonly string _node;
    private readonly DbCommand _takeKey;
    private readonly DbCommand _insertActivity;
    private readonly DbCommand _openActivity;
    private readonly DbCommand _closeActivity;
    private readonly DbCommand _upsertDelivery;
    private readonly DbCommand _insertAttempt;
    private readonly DbCommand _hasRow;

    private OutboxWrites(HubConnection db, long now, string node)
    {
        _db = db;
        _now = now;
        _node = node;
        // One statement, so that two nodes taking the same key at once cannot both have it: the
        // second waits on the first's row and then changes nothing unless the key had expired.
        _takeKey = Prepare("""
            INSERT INTO idempotency_keys (voip_id, idempotency_key, created_at) VALUES (@p0, @p1, @p2)
            ON CONFLICT (voip_id, idempotency_key) DO UPDATE SET created_at = excluded.created_at
            WHERE idempotency_keys.created_at < @p3
            """, 4);
        _insertActivity = Prepare("""
            INSERT INTO activities (voip_id, data_type, data_object_uuid, timestamp_ns, tags, data, created_at, targets)
            VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7) RETURNING id
            """, 8);
        _openActivity = Prepare("INSERT INTO open_activities (activity_id, voip_id, node_id) VALUES (@p0, @p1, @p2)", 3);
        _closeActivity = Prepare("DELETE FROM open_activities WHERE activity_id = @p0", 1);
        _upsertDelivery = Prepare("""
            INSERT INTO deliveries (listener_id, activity_id, slot, voip_id, callback_id, status, attempts, tries, last_attempt_at, next_attempt_at, status_reason, status_code, duration_ms, url, node_id)
            VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14)
            ON CONFLICT (listener_id, activity_id) DO UPDATE SET
                callback_id = excluded.callback_id, status = excluded.status, attempts = excluded.attempts, tries = excluded.tries,
                last_attempt_at = COALESCE(excluded.last_attempt_at, deliveries.last_attempt_at), next_attempt_at = excluded.next_attempt_at,
                status_reason = excluded.status_reason, status_code = excluded.status_code, duration_ms = excluded.duration_ms, url = excluded.url,
                node_id = excluded.node_id
            """, 15);
        _insertAttempt = Prepare("""
            INSERT INTO attempts (listener_id, activity_id, voip_id, callback_id, at, url, status_code, duration_ms, error)
            VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8)
            """, 9);
        _hasRow = Prepare("SELECT 1 FROM deliveries WHERE listener_id = @p0 AND activity_id = @p1", 2);
    }

    /// <summary>Begins the turn's transaction on the writer's connection; what it leaves to do later, node <paramref name="node"/> holds.</summary>
    public static async Task<OutboxWrites> BeginAsync(HubConnection db, long now, string node, CancellationToken cancellationToken)
    {
        await db.BeginAsync(cancellationToken);
        return new OutboxWrites(db, now, node);
    }

    public HubConnection Db => _db;

    /// <summary>
    /// ingest.md: false when the account sent this key within the last 24 h (the activity is a
    /// repeat); otherwise the key is recorded now.
    /// </summary>
    public async Task<bool> TryTakeKeyAsync(long voipId, string key, CancellationToken cancellationToken)
    {
        return await Run(_takeKey, voipId, key, _now, _now - KeyLifetimeMs).ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Stores the activity with its targets; one with targets is open until each of its events has an outcome.</summary>
    public async Task<StoredActivity> AppendAsync(Activity activity, CancellationToken cancellationToken)
    {
        var tags = JsonSerializer.Serialize(activity.Tags, StorageJsonContext.Default.StringArray);
        var id = Convert.ToInt64(await Run(_insertActivity,
            activity.VoipId, activity.DataType.Name(), activity.DataObjectUuid, activity.TimestampNs, tags,
            Encoding.UTF8.GetString(activity.Data), _now, TargetsJson.Write(activity.Targets)).ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        if (activity.Targets.Count > 0)
        {
            await Run(_openActivity, id, activity.VoipId, _node).ExecuteNonQueryAsync(cancellationToken);
        }
        return new StoredActivity(id, activity.VoipId, activity.DataType.Name(), activity.DataObjectUuid, activity.TimestampNs, activity.Tags, activity.Data, _now, activity.Targets);
    }

    /// <summary>
    /// Where the event stands now, in its deliveries row; a failed attempt is also kept in
    /// attempts, a successful one in the row itself.
    /// </summary>
    public async Task RecordAsync(Outcome outcome, CancellationToken cancellationToken)
    {
        var e = outcome.Event;
        var attempt = outcome.Attempt;
        var success = attempt is { Success: true };
        if (attempt is { Success: false })
        {
            await Run(_insertAttempt, e.ListenerId, e.Key.ActivityId, e.VoipId, outcome.AttemptCallbackId, attempt.At, attempt.Url,
                attempt.StatusCode, attempt.DurationMs, attempt.Error).ExecuteNonQueryAsync(cancellationToken);
        }
        await Run(_upsertDelivery, e.ListenerId, e.Key.ActivityId, e.Key.Slot, e.VoipId, e.CallbackId, outcome.Status, e.Attempts, e.Tries,
            attempt?.At, outcome.Status == EventStatus.Pending ? outcome.NextAttemptAt : null, outcome.Note,
            success ? attempt!.StatusCode : null, success ? attempt!.DurationMs : null, success ? attempt!.Url : null, _node).ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>How many events of the activity have no deliveries row yet (what it takes to know when it is no longer open).</summary>
    public async Task<int> RowlessAsync(StoredActivity activity, CancellationToken cancellationToken)
    {
        var rowless = 0;
        foreach (var target in activity.Targets)
        {
            if (await Run(_hasRow, target.ListenerId, activity.Id).ExecuteScalarAsync(cancellationToken) is null)
            {
                rowless++;
            }
        }
        return rowless;
    }

    /// <summary>Every event of the activity has a deliveries row: recovery no longer needs to look at it.</summary>
    public Task CloseAsync(long activityId, CancellationToken cancellationToken) => Run(_closeActivity, activityId).ExecuteNonQueryAsync(cancellationToken);

    /// <summary>Keys older than a day no longer make a repeat (ingest.md).</summary>
    public Task ForgetKeysAsync(CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(_db.Command("DELETE FROM idempotency_keys WHERE created_at < @before").With("@before", _now - KeyLifetimeMs), cancellationToken);

    public Task CommitAsync(CancellationToken cancellationToken) => _db.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var command in new[] { _takeKey, _insertActivity, _openActivity, _closeActivity, _upsertDelivery, _insertAttempt, _hasRow })
        {
            await command.DisposeAsync();
        }
    }

    private DbCommand Prepare(string sql, int parameters)
    {
        var command = _db.Command(sql);
        for (var i = 0; i < parameters; i++)
        {
            command.With("@p" + i.ToString(CultureInfo.InvariantCulture), null);
        }
        return command;
    }

    private static DbCommand Run(DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        return command;
    }
}
