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
    private readonly DbCommand _enterOrder;
    private readonly DbCommand _leaveOrder;

    // Statements whose answers nothing waits for, sent together in as few round trips as the server
    // allows (PostgreSQL); null where statements run in the process (SQLite) and go one by one.
    private readonly DbBatch? _deferred;
    private const int MaxDeferred = 500;

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
        _enterOrder = Prepare(OrderedEventTable.InsertSql, 4);
        _leaveOrder = Prepare(OrderedEventTable.DeleteSql, 3);
        _deferred = db.Batch();
    }

    /// <summary>Begins the turn's transaction on the writer's connection; what it leaves to do later, node <paramref name="node"/> holds.</summary>
    public static async Task<OutboxWrites> BeginAsync(HubConnection db, long now, string node, CancellationToken cancellationToken)
    {
        await db.BeginAsync(cancellationToken);
        return new OutboxWrites(db, now, node);
    }

    public HubConnection Db => _db;

    /// <summary>
    /// ingest.md: of these keys (in the order given), those taken now; a key the account sent
    /// within the last 24 h is not (the activity is a repeat).
    /// </summary>
    public async Task<HashSet<(long VoipId, string Key)>> TakeKeysAsync(IReadOnlyList<(long VoipId, string Key)> keys, CancellationToken cancellationToken)
    {
        var taken = new HashSet<(long, string)>();
        if (_deferred is null)
        {
            foreach (var (voipId, key) in keys)
            {
                if (await Run(_takeKey, voipId, key, _now, _now - KeyLifetimeMs).ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    taken.Add((voipId, key));
                }
            }
            return taken;
        }
        await FlushAsync(cancellationToken);
        foreach (var (voipId, key) in keys)
        {
            Add(_deferred, _takeKey, [voipId, key, _now, _now - KeyLifetimeMs]);
        }
        await FlushAsync(cancellationToken, keys.Count, (i, affected) =>
        {
            if (affected == 1)
            {
                taken.Add(keys[i]);
            }
        });
        return taken;
    }

    /// <summary>Stores the activities with their targets, in order; one with targets is open until each of its events has an outcome.</summary>
    public async Task<List<StoredActivity>> AppendAsync(IReadOnlyList<Activity> activities, CancellationToken cancellationToken)
    {
        var rows = activities.Select(a => (object?[])[a.VoipId, a.DataType.Name(), a.DataObjectUuid, a.TimestampNs,
            JsonSerializer.Serialize(a.Tags, StorageJsonContext.Default.StringArray), Encoding.UTF8.GetString(a.Data), _now, TargetsJson.Write(a.Targets)]).ToList();
        var ids = new List<long>(activities.Count);
        if (_deferred is null)
        {
            foreach (var row in rows)
            {
                ids.Add(Convert.ToInt64(await Run(_insertActivity, row).ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture));
            }
        }
        else
        {
            await FlushAsync(cancellationToken);
            foreach (var row in rows)
            {
                Add(_deferred, _insertActivity, row);
            }
            await using (var reader = await _deferred.ExecuteReaderAsync(cancellationToken))
            {
                do
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        ids.Add(reader.GetInt64(0));
                    }
                }
                while (await reader.NextResultAsync(cancellationToken));
            }
            _deferred.BatchCommands.Clear();
        }
        var stored = new List<StoredActivity>(activities.Count);
        for (var i = 0; i < activities.Count; i++)
        {
            var activity = activities[i];
            if (activity.Targets.Count > 0)
            {
                await DeferAsync(_openActivity, [ids[i], activity.VoipId, _node], cancellationToken);
            }
            for (var slot = 0; slot < activity.Targets.Count; slot++)
            {
                if (activity.Targets[slot].Ordered)
                {
                    await DeferAsync(_enterOrder, [activity.Targets[slot].ListenerId, activity.DataObjectUuid, ids[i], slot], cancellationToken);
                }
            }
            stored.Add(new StoredActivity(ids[i], activity.VoipId, activity.DataType.Name(), activity.DataObjectUuid, activity.TimestampNs, activity.Tags, activity.Data, _now, activity.Targets) { Trace = activity.Trace });
        }
        return stored;
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
            await DeferAsync(_insertAttempt, [e.ListenerId, e.Key.ActivityId, e.VoipId, outcome.AttemptCallbackId, attempt.At, attempt.Url,
                attempt.StatusCode, attempt.DurationMs, attempt.Error], cancellationToken);
        }
        await DeferAsync(_upsertDelivery, [e.ListenerId, e.Key.ActivityId, e.Key.Slot, e.VoipId, e.CallbackId, outcome.Status, e.Attempts, e.Tries,
            attempt?.At, outcome.Status == EventStatus.Pending ? outcome.NextAttemptAt : null, outcome.Note,
            success ? attempt!.StatusCode : null, success ? attempt!.DurationMs : null, success ? attempt!.Url : null, _node], cancellationToken);
        if (e.Target.Ordered && outcome.Status != EventStatus.Pending)
        {
            // Ended: the next event of its object may go.
            await DeferAsync(_leaveOrder, [e.ListenerId, e.Activity.DataObjectUuid, e.Key.ActivityId], cancellationToken);
        }
    }

    /// <summary>How many events of the activity have no deliveries row yet (what it takes to know when it is no longer open).</summary>
    public async Task<int> RowlessAsync(StoredActivity activity, CancellationToken cancellationToken)
    {
        // It counts rows the deferred statements write.
        await FlushAsync(cancellationToken);
        var withRow = await OutboxReads.WithRowsAsync(_db, activity.Targets.Select(t => (t.ListenerId, activity.Id)), cancellationToken);
        return activity.Targets.Count(t => !withRow.Contains((t.ListenerId, activity.Id)));
    }

    /// <summary>Every event of the activity has a deliveries row: recovery no longer needs to look at it.</summary>
    public Task CloseAsync(long activityId, CancellationToken cancellationToken) => DeferAsync(_closeActivity, [activityId], cancellationToken);

    /// <summary>Keys older than a day no longer make a repeat (ingest.md).</summary>
    public Task ForgetKeysAsync(CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(_db.Command("DELETE FROM idempotency_keys WHERE created_at < @before").With("@before", _now - KeyLifetimeMs), cancellationToken);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await _db.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in new[] { _takeKey, _insertActivity, _openActivity, _closeActivity, _upsertDelivery, _insertAttempt, _enterOrder, _leaveOrder })
        {
            await command.DisposeAsync();
        }
        if (_deferred is not null)
        {
            await _deferred.DisposeAsync();
        }
    }

    /// <summary>Runs the statement now, or adds it to the batch that goes at the next flush.</summary>
    private async Task DeferAsync(DbCommand command, object?[] values, CancellationToken cancellationToken)
    {
        if (_deferred is null)
        {
            await Run(command, values).ExecuteNonQueryAsync(cancellationToken);
            return;
        }
        Add(_deferred, command, values);
        if (_deferred.BatchCommands.Count >= MaxDeferred)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Sends what was deferred; <paramref name="affected"/> hears the rows changed by each of the last <paramref name="last"/> statements.</summary>
    private async Task FlushAsync(CancellationToken cancellationToken, int last = 0, Action<int, int>? affected = null)
    {
        if (_deferred is { BatchCommands.Count: > 0 })
        {
            await _deferred.ExecuteNonQueryAsync(cancellationToken);
            var first = _deferred.BatchCommands.Count - last;
            for (var i = 0; i < last; i++)
            {
                affected?.Invoke(i, _deferred.BatchCommands[first + i].RecordsAffected);
            }
            _deferred.BatchCommands.Clear();
        }
    }

    private static void Add(DbBatch batch, DbCommand like, object?[] values)
    {
        var statement = batch.CreateBatchCommand();
        statement.CommandText = like.CommandText;
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = statement.CreateParameter();
            parameter.ParameterName = like.Parameters[i].ParameterName;
            parameter.Value = values[i] ?? DBNull.Value;
            statement.Parameters.Add(parameter);
        }
        batch.BatchCommands.Add(statement);
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
