using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Switchboard.Events;
using Switchboard.Hosting;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>Ingest answers 503 with Retry-After: storage is behind, and nothing of the batch was taken.</summary>
internal sealed class StorageBusyException() : Exception("Storage is behind; nothing of this batch was accepted. Send it again in a moment.");

/// <summary>
/// The one writer of the outbox (docs/delivery.md, Durability). Each turn is one transaction with
/// the activities that arrived since the last (group commit: one fsync for many requests) and the
/// outcomes delivery reported, each kind capped so a turn holds SQLite's write lock a few
/// milliseconds and neither kind waits behind the other. Only after the commit are activities
/// acknowledged and handed to delivery, and events let go from memory, so a crash before it means
/// an unacknowledged batch or a redelivery, never a loss. Where the database locks rows rather
/// than the whole of it (PostgreSQL), activities and outcomes take turns of their own side by
/// side, so an acknowledgement never waits for a turn of outcomes.
/// </summary>
internal sealed partial class OutboxWriter(
    HubDatabase database,
    HubNode node,
    OutboxQueue queue,
    OrderGate order,
    ListenerIndex index,
    DeliveryPolicy policy,
    HubMetrics metrics,
    IOptions<IngestOptions> ingestOptions,
    TimeProvider clock,
    ILogger<OutboxWriter> logger) : BackgroundService
{
    /// <summary>Activities a turn takes at most (a submission is never split: one batch is all or nothing).</summary>
    private const int MaxActivitiesPerTurn = 1_000;

    private const int MaxOutcomesPerTurn = 2_000;

    private readonly Channel<Submission> _submissions = Channel.CreateUnbounded<Submission>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Outcome> _outcomes = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _work = new(0, int.MaxValue);
    private int _queuedActivities;

    // Writer's own: how many events of each open activity still have no deliveries row (when it
    // reaches 0 the activity is closed; locked, as ingest turns add to it beside outcome turns),
    // and the callbacks whose health row says healthy already (outcome turns only).
    private readonly Dictionary<long, int> _rowless = [];
    private readonly HashSet<long> _healthy = [];
    private long _nextKeyCleanup;

    /// <summary>
    /// Stores the activities (their targets already matched); completes with how many were
    /// accepted and how many were repeats, once they are durable. Throws
    /// <see cref="StorageBusyException"/> at once when too much already waits for storage.
    /// </summary>
    public Task<(int Accepted, int Duplicates)> SubmitAsync(IReadOnlyList<Activity> activities)
    {
        var queued = Interlocked.Add(ref _queuedActivities, activities.Count);
        if (queued > ingestOptions.Value.MaxQueuedActivities && queued > activities.Count)
        {
            Interlocked.Add(ref _queuedActivities, -activities.Count);
            return Task.FromException<(int, int)>(new StorageBusyException());
        }
        var submission = new Submission(activities, new TaskCompletionSource<(int, int)>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_submissions.Writer.TryWrite(submission))
        {
            Interlocked.Add(ref _queuedActivities, -activities.Count);
            submission.Done.SetException(new InvalidOperationException("The hub is shutting down."));
        }
        Signal();
        return submission.Done.Task;
    }

    /// <summary>Activities waiting for their turn (metrics).</summary>
    public int QueuedActivities => Volatile.Read(ref _queuedActivities);

    /// <summary>What delivery did with an event, to be recorded in the next turn.</summary>
    public void Post(Outcome outcome)
    {
        _outcomes.Writer.TryWrite(outcome);
        Signal();
    }

    private void Signal()
    {
        if (_work.CurrentCount == 0)
        {
            _work.Release();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        database.OneWriterAtATime
            ? WriteLoopAsync(Kinds.Both, stoppingToken)
            : Task.WhenAll(WriteLoopAsync(Kinds.Activities, stoppingToken), WriteLoopAsync(Kinds.Outcomes, stoppingToken));

    private async Task WriteLoopAsync(Kinds kinds, CancellationToken stoppingToken)
    {
        var outcomes = new List<Outcome>(MaxOutcomesPerTurn);
        try
        {
            while (true)
            {
                // A batch of outcomes storage refused is tried again even when nothing new arrives.
                if (outcomes.Count == 0)
                {
                    await WaitForWorkAsync(kinds, stoppingToken);
                }
                await TurnAsync(kinds, outcomes, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what was submitted is still written, so its requests get their answer, and
            // what delivery did is recorded, so those events are not sent again after the restart.
            _submissions.Writer.TryComplete();
            while (Waiting(kinds))
            {
                if (!await TurnAsync(kinds, outcomes, CancellationToken.None, retry: false))
                {
                    break;
                }
            }
        }
    }

    private bool Waiting(Kinds kinds) =>
        (kinds.HasFlag(Kinds.Activities) && _submissions.Reader.TryPeek(out _)) || (kinds.HasFlag(Kinds.Outcomes) && _outcomes.Reader.TryPeek(out _));

    private async ValueTask WaitForWorkAsync(Kinds kinds, CancellationToken stoppingToken)
    {
        switch (kinds)
        {
            case Kinds.Activities:
                await _submissions.Reader.WaitToReadAsync(stoppingToken);
                break;
            case Kinds.Outcomes:
                await _outcomes.Reader.WaitToReadAsync(stoppingToken);
                break;
            default:
                if (!Waiting(kinds))
                {
                    await _work.WaitAsync(stoppingToken);
                }
                break;
        }
        stoppingToken.ThrowIfCancellationRequested();
    }

    /// <summary>One turn; false when storage refused it.</summary>
    private async Task<bool> TurnAsync(Kinds kinds, List<Outcome> outcomes, CancellationToken cancellationToken, bool retry = true)
    {
        var group = new List<Submission>();
        var activities = 0;
        while (kinds.HasFlag(Kinds.Activities) && activities < MaxActivitiesPerTurn && _submissions.Reader.TryRead(out var submission))
        {
            group.Add(submission);
            activities += submission.Activities.Count;
        }
        while (kinds.HasFlag(Kinds.Outcomes) && outcomes.Count < MaxOutcomesPerTurn && _outcomes.Reader.TryRead(out var outcome))
        {
            outcomes.Add(outcome);
        }
        if (group.Count == 0 && outcomes.Count == 0)
        {
            return true;
        }
        try
        {
            Turn done;
            // Relaxed when the turn holds outcomes only: one lost to a power cut means its event is
            // delivered again, which at-least-once delivery allows; an activity must be durable before its 202.
            // Another node's turn may get in the way (PostgreSQL: deadlock or serialization failure); then nothing was written.
            done = await database.RetryOnConflictAsync(async () =>
            {
                await using var turn = await database.WriterTurnAsync(durable: group.Count > 0, cancellationToken);
                return await WriteAsync(turn.Db, group, outcomes, cancellationToken);
            });
            Apply(done, outcomes);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Done.SetResult(done.Results[i]);
            }
            outcomes.Clear();
            foreach (var voipId in done.Disabled)
            {
                await index.ChangedAsync(voipId, CancellationToken.None);
            }
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !retry)
        {
            LogWriteFailed(logger, e, activities, outcomes.Count);
            foreach (var submission in group)
            {
                submission.Done.TrySetException(e);
            }
            if (retry)
            {
                // The outcomes stay for the next turn; their events stay pending meanwhile.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            return false;
        }
        finally
        {
            Interlocked.Add(ref _queuedActivities, -activities);
        }
    }

    /// <summary>After the commit: what the turn changed takes effect in memory.</summary>
    private void Apply(Turn done, List<Outcome> outcomes)
    {
        lock (_rowless)
        {
            foreach (var (activityId, rowless) in done.Rowless)
            {
                if (rowless == 0)
                {
                    _rowless.Remove(activityId);
                }
                else
                {
                    _rowless[activityId] = rowless;
                }
            }
            foreach (var activity in done.Stored)
            {
                if (activity.Targets.Count > 0)
                {
                    _rowless[activity.Id] = activity.Targets.Count;
                }
            }
        }
        foreach (var (callbackId, healthy) in done.Health)
        {
            if (healthy)
            {
                _healthy.Add(callbackId);
            }
            else
            {
                _healthy.Remove(callbackId);
            }
        }
        foreach (var outcome in outcomes)
        {
            metrics.Recorded(outcome);
            if (outcome.Status == EventStatus.Pending)
            {
                queue.Later(outcome.Event.Key, outcome.NextAttemptAt);
            }
            else if (outcome.Event.Target.Ordered)
            {
                order.Ended(outcome.Event);
            }
        }
        queue.Settled(outcomes.Count);
        queue.Add(done.Stored);
        metrics.Ingested(done.Results.Sum(r => (long)r.Accepted), done.Stored.Sum(a => (long)a.Targets.Count));
    }

    private async Task<Turn> WriteAsync(HubConnection db, List<Submission> group, List<Outcome> outcomes, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var done = new Turn(new (int, int)[group.Count]);
        await using var writes = await OutboxWrites.BeginAsync(db, now, node.Id, cancellationToken);
        // Keys are taken in one order on every node, so two turns taking the same keys wait for
        // each other instead of deadlocking; the first activity with a key in the turn gets it.
        var taken = await writes.TakeKeysAsync(
            [.. group.SelectMany(g => g.Activities).Where(a => a.IdempotencyKey is not null).Select(a => (a.VoipId, a.IdempotencyKey!)).Distinct().Order()],
            cancellationToken);
        var accepted = new List<Activity>();
        for (var i = 0; i < group.Count; i++)
        {
            var (count, duplicates) = (0, 0);
            foreach (var activity in group[i].Activities)
            {
                if (activity.IdempotencyKey is { } key && !taken.Remove((activity.VoipId, key)))
                {
                    duplicates++;
                    continue;
                }
                count++;
                accepted.Add(activity);
            }
            done.Results[i] = (count, duplicates);
        }
        done.Stored.AddRange(await writes.AppendAsync(accepted, cancellationToken));
        foreach (var outcome in outcomes)
        {
            await RecordAsync(writes, outcome, now, done, cancellationToken);
        }
        if (group.Count > 0 && now >= _nextKeyCleanup)
        {
            await writes.ForgetKeysAsync(cancellationToken);
            _nextKeyCleanup = now + (long)TimeSpan.FromMinutes(10).TotalMilliseconds;
        }
        await writes.CommitAsync(cancellationToken);
        return done;
    }

    private async Task RecordAsync(OutboxWrites writes, Outcome outcome, long now, Turn done, CancellationToken cancellationToken)
    {
        var outboxEvent = outcome.Event;
        await writes.RecordAsync(outcome, cancellationToken);
        if (!outboxEvent.HasRow)
        {
            var activityId = outboxEvent.Key.ActivityId;
            var rowless = done.Rowless.TryGetValue(activityId, out var left) || KnownRowless(activityId, out left)
                ? left - 1
                // Read back from storage (a restart, a backlog): count what is left, this row written.
                : await writes.RowlessAsync(outboxEvent.Activity, cancellationToken);
            done.Rowless[activityId] = rowless;
            if (rowless == 0)
            {
                await writes.CloseAsync(activityId, cancellationToken);
            }
        }

        var callbackId = outcome.AttemptCallbackId;
        if (outcome.Attempt is { } attempt)
        {
            var healthy = done.Health.TryGetValue(callbackId, out var known) ? known : _healthy.Contains(callbackId);
            if (attempt.Success && !healthy)
            {
                await CallbackHealthTable.SucceededAsync(writes.Db, callbackId, now, cancellationToken);
                done.Health[callbackId] = true;
            }
            else if (!attempt.Success)
            {
                await CallbackHealthTable.FailedAsync(writes.Db, callbackId, now, cancellationToken);
                done.Health[callbackId] = false;
            }
        }
        if (index.Callback(outboxEvent.VoipId, callbackId) is not { } callback)
        {
            return;
        }
        string? disableReason = null;
        if (outcome.Attempt?.Gone == true)
        {
            disableReason = "the callback URL answered 410 Gone";
        }
        else if (outcome.Exhausted)
        {
            var health = await CallbackHealthTable.ExhaustedAsync(writes.Db, callback.Id, now, cancellationToken);
            done.Health[callback.Id] = false;
            switch (policy.AfterExhausted(health, now))
            {
                case HealthVerdict.Deactivate:
                    disableReason = policy.DeactivationRule;
                    break;
                case HealthVerdict.Failing:
                    await CallbackHealthTable.MarkNotifiedAsync(writes.Db, callback.Id, now, cancellationToken);
                    await CallbackHealthTable.NotifyAsync(writes.Db, callback.Row.VoipId, callback.Id, callback.Row.ProfileId, NotificationKind.Failing,
                        $"an event ran out of attempts; last error: {outcome.Attempt?.Error ?? outcome.Note}", now, cancellationToken);
                    break;
            }
        }
        if (disableReason is not null && await CallbackHealthTable.DisableAsync(writes.Db, callback.Id, cancellationToken))
        {
            await CallbackHealthTable.NotifyAsync(writes.Db, callback.Row.VoipId, callback.Id, callback.Row.ProfileId, NotificationKind.Deactivated, disableReason, now, cancellationToken);
            LogDisabled(logger, callback.Id, callback.Row.VoipId, disableReason);
            // In the same transaction as the disabling: a crash cannot leave it disabled and unannounced.
            foreach (var notice in Announcements(callback, disableReason))
            {
                done.Stored.AddRange(await writes.AppendAsync([notice], cancellationToken));
            }
            done.Disabled.Add(callback.Row.VoipId);
        }
    }

    /// <summary>
    /// tags.md: for each listener of a callback just disabled, a <c>deactivated-listener-callback</c>
    /// activity for every other listener of the account subscribed to it, not on that callback.
    /// </summary>
    private List<Activity> Announcements(IndexedCallback callback, string reason)
    {
        var notices = new List<Activity>();
        if (index.Account(callback.Row.VoipId) is not { } account)
        {
            return notices;
        }
        var now = clock.GetUtcNow();
        foreach (var listener in account.ByExtension.Values.Prepend(account.AccountLevel).SelectMany(l => l).Where(l => l.CallbackId == callback.Id).OrderBy(l => l.Id))
        {
            var activity = Activity.Own(callback.Row.VoipId, new ListenerCallbackData { ListenerId = listener.Id, CallbackId = callback.Id, Reason = reason }, now);
            activity.Targets = [.. index.Match(activity, now.ToUnixTimeSeconds()).Where(l => l.Id != listener.Id && l.CallbackId != callback.Id).Select(l => l.Target)];
            notices.Add(activity);
        }
        return notices;
    }

    private bool KnownRowless(long activityId, out int left)
    {
        lock (_rowless)
        {
            return _rowless.TryGetValue(activityId, out left);
        }
    }

    /// <summary>What a turn writes: with one writer at a time both; else activities and outcomes each in turns of their own, side by side.</summary>
    [Flags]
    private enum Kinds
    {
        Activities = 1,
        Outcomes = 2,
        Both = Activities | Outcomes,
    }

    private sealed record Submission(IReadOnlyList<Activity> Activities, TaskCompletionSource<(int Accepted, int Duplicates)> Done);

    /// <summary>What a turn wrote, to take effect in memory once it is committed.</summary>
    private sealed record Turn((int Accepted, int Duplicates)[] Results)
    {
        public List<StoredActivity> Stored { get; } = [];

        public Dictionary<long, int> Rowless { get; } = [];

        public Dictionary<long, bool> Health { get; } = [];

        public HashSet<long> Disabled { get; } = [];
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store {Activities} activities and {Outcomes} delivery outcomes; the activities' ingest requests fail, the outcomes are tried again")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int activities, int outcomes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disabled callback {CallbackId} of account {VoipId}: {Reason}")]
    private static partial void LogDisabled(ILogger logger, long callbackId, long voipId, string reason);
}

/// <summary>The kinds of owner notification (delivery.md, Deactivation and profiles).</summary>
internal static class NotificationKind
{
    public const string Failing = "failing";
    public const string Deactivated = "deactivated";
}
