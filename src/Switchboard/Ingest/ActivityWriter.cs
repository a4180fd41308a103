using System.Data.Common;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Switchboard.Delivery;
using Switchboard.Events;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Ingest;

/// <summary>The answer to an ingest (ingest.md): activities stored, and those that were repeats of an idempotency key.</summary>
internal sealed record IngestResult(int Accepted, int Duplicates);

/// <summary>
/// Stores acknowledged activities with their events (the outbox) and answers only once they are
/// committed. Requests arriving while a transaction is being written are grouped into the next
/// one (group commit), so durability costs one fsync per group rather than per request.
/// </summary>
internal sealed partial class ActivityWriter(HubDatabase database, OutboxQueue queue, HubMetrics metrics, TimeProvider clock, ILogger<ActivityWriter> logger) : BackgroundService
{
    private const int MaxActivitiesPerTransaction = 20_000;
    private static readonly long KeyLifetimeMs = (long)TimeSpan.FromHours(24).TotalMilliseconds;

    private readonly Channel<Submission> _submissions = Channel.CreateUnbounded<Submission>(new UnboundedChannelOptions { SingleReader = true });
    private long _nextKeyCleanup;

    /// <summary>Stores the activities (their listeners already matched); completes once they are durable.</summary>
    public Task<IngestResult> SubmitAsync(IReadOnlyList<Activity> activities)
    {
        var submission = new Submission(activities, new TaskCompletionSource<IngestResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_submissions.Writer.TryWrite(submission))
        {
            submission.Done.SetException(new InvalidOperationException("The hub is shutting down."));
        }
        return submission.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _submissions.Reader.WaitToReadAsync(stoppingToken))
            {
                await WriteGroupAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what was already submitted is still written, so its requests get their answer.
            _submissions.Writer.TryComplete();
            await WriteGroupAsync(CancellationToken.None);
        }
    }

    private async Task WriteGroupAsync(CancellationToken cancellationToken)
    {
        var group = new List<Submission>();
        var activities = 0;
        try
        {
            IngestResult[] results;
            List<OutboxEvent> events;
            // The turn first, then the group: what arrives while the other writer commits joins it.
            await using (var turn = await database.WriterTurnAsync(durable: true, cancellationToken))
            {
                while (activities < MaxActivitiesPerTransaction && _submissions.Reader.TryRead(out var submission))
                {
                    group.Add(submission);
                    activities += submission.Activities.Count;
                }
                if (group.Count == 0)
                {
                    return;
                }
                (results, events) = await WriteAsync(turn.Db, group, cancellationToken);
            }
            queue.Add(events);
            metrics.Ingested(results.Sum(r => (long)r.Accepted), events.Count);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Done.SetResult(results[i]);
            }
        }
        catch (Exception e)
        {
            LogWriteFailed(logger, e, activities);
            foreach (var submission in group)
            {
                submission.Done.TrySetException(e);
            }
        }
    }

    private async Task<(IngestResult[] Results, List<OutboxEvent> Events)> WriteAsync(HubConnection db, List<Submission> group, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var results = new IngestResult[group.Count];
        var events = new List<OutboxEvent>();
        var keysInGroup = new HashSet<(long, string)>();
        await db.BeginAsync(cancellationToken);
        await using var findKey = db.Command("SELECT created_at FROM idempotency_keys WHERE voip_id = @voip_id AND idempotency_key = @key");
        await using var saveKey = db.Command("""
            INSERT INTO idempotency_keys (voip_id, idempotency_key, created_at) VALUES (@voip_id, @key, @now)
            ON CONFLICT (voip_id, idempotency_key) DO UPDATE SET created_at = @now
            """);
        await using var insertActivity = db.Command("""
            INSERT INTO activities (voip_id, data_type, data_object_uuid, timestamp_ns, tags, data, created_at)
            VALUES (@voip_id, @data_type, @data_object_uuid, @timestamp_ns, @tags, @data, @now) RETURNING id
            """);
        await using var insertEvent = db.Command("""
            INSERT INTO events (uuid, activity_id, listener_id, voip_id, extension_id, version, callback_id, status, attempts, tries, next_attempt_at, created_at)
            VALUES (@uuid, @activity_id, @listener_id, @voip_id, @extension_id, @version, @callback_id, 'pending', 0, 0, @now, @now) RETURNING id
            """);
        for (var i = 0; i < group.Count; i++)
        {
            var (accepted, duplicates) = (0, 0);
            foreach (var activity in group[i].Activities)
            {
                if (activity.IdempotencyKey is { } key)
                {
                    if (!keysInGroup.Add((activity.VoipId, key)) || await IsRecentKeyAsync(findKey, activity.VoipId, key, now, cancellationToken))
                    {
                        duplicates++;
                        continue;
                    }
                    saveKey.Parameters.Clear();
                    await saveKey.With("@voip_id", activity.VoipId).With("@key", key).With("@now", now).ExecuteNonQueryAsync(cancellationToken);
                }
                accepted++;
                var data = Encoding.UTF8.GetString(activity.Data);
                insertActivity.Parameters.Clear();
                var activityId = Convert.ToInt64(await insertActivity
                    .With("@voip_id", activity.VoipId).With("@data_type", activity.DataType.Name()).With("@data_object_uuid", activity.DataObjectUuid)
                    .With("@timestamp_ns", activity.TimestampNs).With("@tags", JsonSerializer.Serialize(activity.Tags, StorageJsonContext.Default.StringArray))
                    .With("@data", data).With("@now", now).ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                if (activity.Listeners.Count == 0)
                {
                    continue;
                }
                var stored = new StoredActivity(activityId, activity.VoipId, activity.DataType.Name(), activity.DataObjectUuid, activity.TimestampNs, activity.Tags, activity.Data);
                foreach (var listener in activity.Listeners)
                {
                    var uuid = Guid.CreateVersion7(clock.GetUtcNow()).ToString();
                    insertEvent.Parameters.Clear();
                    var eventId = Convert.ToInt64(await insertEvent
                        .With("@uuid", uuid).With("@activity_id", activityId).With("@listener_id", listener.Id).With("@voip_id", listener.VoipId)
                        .With("@extension_id", listener.ExtensionId).With("@version", listener.Version).With("@callback_id", listener.CallbackId)
                        .With("@now", now).ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                    events.Add(new OutboxEvent(eventId, uuid, stored, listener.Id, listener.ExtensionId, listener.Version, listener.CallbackId));
                }
            }
            results[i] = new IngestResult(accepted, duplicates);
        }
        if (now >= _nextKeyCleanup)
        {
            // Keys older than a day no longer make a repeat (ingest.md): forget them now and then.
            await HubConnection.ExecuteAsync(db.Command("DELETE FROM idempotency_keys WHERE created_at < @before").With("@before", now - KeyLifetimeMs), cancellationToken);
            _nextKeyCleanup = now + (long)TimeSpan.FromMinutes(10).TotalMilliseconds;
        }
        await db.CommitAsync(cancellationToken);
        return (results, events);
    }

    private static async Task<bool> IsRecentKeyAsync(DbCommand findKey, long voipId, string key, long now, CancellationToken cancellationToken)
    {
        findKey.Parameters.Clear();
        var createdAt = await findKey.With("@voip_id", voipId).With("@key", key).ExecuteScalarAsync(cancellationToken);
        return createdAt is not null and not DBNull && Convert.ToInt64(createdAt, System.Globalization.CultureInfo.InvariantCulture) >= now - KeyLifetimeMs;
    }

    private sealed record Submission(IReadOnlyList<Activity> Activities, TaskCompletionSource<IngestResult> Done);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store {Count} activities; their ingest requests fail and nothing of them is kept")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}
