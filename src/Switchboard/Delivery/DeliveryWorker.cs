using Switchboard.Hosting;
using Switchboard.Matching;

namespace Switchboard.Delivery;

/// <summary>
/// Takes events from the <see cref="OutboxQueue"/> and delivers them, each callback in its own
/// <see cref="CallbackLane"/>, and posts every outcome to the <see cref="OutcomeWriter"/>:
/// delivered, retried later on the retry schedule, handed to a fallback, failed, or suppressed.
/// </summary>
internal sealed partial class DeliveryWorker(
    OutboxQueue queue,
    ListenerIndex index,
    HttpSender http,
    EmailSender email,
    ApplicationSender applications,
    EmailUnsubscribes unsubscribes,
    OutboxWriter outcomes,
    ClusterLimits limits,
    OrderGate order,
    DeliveryPolicy policy,
    TimeProvider clock,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    private readonly Dictionary<long, CallbackLane> _lanes = [];
    private CancellationToken _stopping;

    // Events queued behind callbacks with no attempt ended yet, all lanes together; see TryQueue.
    private int _queuedUntried;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        await unsubscribes.LoadAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            OutboxEvent next;
            try
            {
                next = await queue.NextAsync(stoppingToken);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
            {
                // Storage is down (docs/reliability.md): what is in memory goes on; what waits in storage is read when it is back.
                LogReadFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
                continue;
            }
            DispatchSafely(next);
        }
    }

    private long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private void Dispatch(OutboxEvent outboxEvent)
    {
        if (outboxEvent.Target.Ordered)
        {
            if (!order.TryEnter(outboxEvent))
            {
                // Behind an earlier event of its object: let go from memory until that one has ended.
                queue.Settled(1);
                return;
            }
            if (limits.Shared && !outboxEvent.FirstOfItsObject)
            {
                _ = CheckOrderAsync(outboxEvent);
                return;
            }
        }
        var now = Now;
        var callback = Resolve(outboxEvent, now);
        if (callback is null)
        {
            return;
        }
        if (callback.Email is not null && unsubscribes.Contains(outboxEvent.ListenerId))
        {
            // delivery.md: the recipient opened the unsubscribe link; this listener sends no more e-mail.
            outcomes.Post(new Outcome(outboxEvent, EventStatus.Suppressed, now, null, callback.Id, false, "the e-mail recipient unsubscribed from this listener"));
            return;
        }
        var lane = LaneOf(callback.Id);
        lock (lane)
        {
            if (lane.OpenUntil > now)
            {
                // Breaker open: the callback keeps failing; its events wait instead of hammering it.
                Wait(outboxEvent, lane.OpenUntil);
                return;
            }
            if (lane.InFlight >= limits.InFlightCap)
            {
                if (!TryQueue(lane, outboxEvent))
                {
                    // Behind a failing callback it waits as long as the breaker would pause it, or a second.
                    Wait(outboxEvent, now + Math.Max(1000, policy.BreakerPauseMs(lane.FailuresInARow)));
                }
                return;
            }
            if (TakeRateLimit(outboxEvent, callback, lane, now) != RateVerdict.Send)
            {
                return;
            }
            lane.InFlight++;
        }
        _ = SendAsync(outboxEvent, callback, lane);
    }

    /// <summary>
    /// delivery.md, Rate limit: the limit counts events, not attempts. An event takes a send from
    /// its callback's limit once, when it is about to be sent to that callback for the first time
    /// (a fallback has a limit of its own); its retries, and its waits for the breaker or behind
    /// requests in flight, take nothing. Suppressed when the limit is reached. Where nodes share
    /// the database the limit is the callback's across nodes (scaling.md): the event waits while
    /// the database is asked, together with every other event that wants a send from it meanwhile.
    /// Called under the lane's lock.
    /// </summary>
    private RateVerdict TakeRateLimit(OutboxEvent outboxEvent, IndexedCallback callback, CallbackLane lane, long now)
    {
        if (outboxEvent.Tries > 0 || callback.RateLimit is not { } limit || outboxEvent.SendTakenAt == callback.Id)
        {
            return RateVerdict.Send;
        }
        if (limits.Shared && lane.TryUseReturnedSend())
        {
            outboxEvent.SendTakenAt = callback.Id;
            return RateVerdict.Send;
        }
        if (limits.Shared && lane.LimitReachedUntil <= now)
        {
            lane.AwaitingSends.Enqueue(outboxEvent);
            if (!lane.TakingSends)
            {
                lane.TakingSends = true;
                _ = TakeSharedSendsAsync(lane, callback.Id, limit);
            }
            return RateVerdict.Waits;
        }
        if (!limits.Shared && lane.TryTakeSend(limit.Number, limit.Period * 1000L, now))
        {
            return RateVerdict.Send;
        }
        outcomes.Post(new Outcome(outboxEvent, EventStatus.Suppressed, now, null, callback.Id, false,
            $"rate limit of {limit.Number} events per {limit.Period} s reached"));
        return RateVerdict.Suppressed;
    }

    /// <summary>
    /// Asks the callback's shared window for a send for each event waiting on the lane; those
    /// granted are dispatched again with their send taken, the rest find the limit reached.
    /// </summary>
    private async Task TakeSharedSendsAsync(CallbackLane lane, long callbackId, CallbackRateLimit limit)
    {
        int wanted;
        lock (lane)
        {
            wanted = lane.AwaitingSends.Count;
        }
        var now = Now;
        int granted;
        try
        {
            (granted, var retryAt) = await limits.TakeSendsAsync(callbackId, limit, wanted, now, _stopping);
            if (granted < wanted)
            {
                lock (lane)
                {
                    lane.LimitReachedUntil = retryAt;
                }
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            LogSharedLimitFailed(logger, e, callbackId);
            granted = -1;
        }
        catch (OperationCanceledException)
        {
            return;
        }
        List<OutboxEvent> waiting;
        lock (lane)
        {
            waiting = [.. lane.AwaitingSends];
            lane.AwaitingSends.Clear();
            lane.TakingSends = false;
        }
        for (var i = 0; i < waiting.Count; i++)
        {
            if (granted < 0)
            {
                // The database did not answer: the events wait in storage and come back to ask again.
                Wait(waiting[i], now + 1000);
                continue;
            }
            if (i < granted)
            {
                waiting[i].SendTakenAt = callbackId;
            }
            DispatchSafely(waiting[i]);
        }
    }

    /// <summary>scaling.md, Ordering: sent only once no node holds an earlier event of its object; else it looks again later.</summary>
    private async Task CheckOrderAsync(OutboxEvent outboxEvent)
    {
        (bool First, long LookAgainAt) check;
        try
        {
            check = await order.IsFirstAsync(outboxEvent, _stopping);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            LogDispatchFailed(logger, e, outboxEvent.Uuid);
            check = (false, Now + 1000);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (!check.First)
        {
            Wait(outboxEvent, check.LookAgainAt);
            return;
        }
        outboxEvent.FirstOfItsObject = true;
        DispatchSafely(outboxEvent);
    }

    private void DispatchSafely(OutboxEvent outboxEvent)
    {
        try
        {
            Dispatch(outboxEvent);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug must not stop delivery: the event stays pending and is tried again later.
            LogDispatchFailed(logger, e, outboxEvent.Uuid);
            Wait(outboxEvent, Now + 60_000);
        }
    }

    /// <summary>
    /// scaling.md: another node's breaker opened for the callback, so this node pauses it too; the
    /// events queued behind its requests wait in storage until then.
    /// </summary>
    public void Pause(long callbackId, long until)
    {
        var lane = LaneOf(callbackId);
        lock (lane)
        {
            if (!lane.PauseUntil(until))
            {
                return;
            }
            while (TryTakeQueued(lane, out var waiting))
            {
                Wait(waiting, until);
            }
        }
    }

    /// <summary>
    /// delivery.md, Concurrency: a slow or dead receiver must not delay other callbacks. Events wait
    /// in memory behind a callback's requests in flight only as many as it gets through in about a
    /// second (at most <see cref="CallbackLane.MaxQueued"/>; at least <see cref="CallbackLane.MaxQueuedUntried"/>
    /// when its last attempt succeeded, else as many as it may have in flight);
    /// behind one with no attempt ended yet, up to <see cref="CallbackLane.MaxQueuedUntried"/>, and
    /// such callbacks together at most a quarter of the events the hub holds in memory
    /// (Delivery:MaxEventsInMemory). The rest wait in storage and come back in a second (behind a
    /// failing callback: once the breaker's pause would end). Before, every callback queued up to
    /// 2 000 whatever it did, and callbacks that hang filled the room with their queues: the events
    /// of callbacks that answer could not be taken until those requests timed out. Called under the
    /// lane's lock.
    /// </summary>
    private bool TryQueue(CallbackLane lane, OutboxEvent outboxEvent)
    {
        if (lane.Tried)
        {
            var least = lane.Answering ? CallbackLane.MaxQueuedUntried : limits.InFlightCap;
            if (lane.Queued.Count >= Math.Clamp(lane.EndedPerSecond(Now), least, CallbackLane.MaxQueued))
            {
                return false;
            }
        }
        else if (lane.QueuedUntried >= CallbackLane.MaxQueuedUntried || Volatile.Read(ref _queuedUntried) >= queue.Capacity / 4)
        {
            return false;
        }
        else
        {
            lane.QueuedUntried++;
            Interlocked.Increment(ref _queuedUntried);
        }
        lane.Queued.Enqueue(outboxEvent);
        return true;
    }

    /// <summary>The next event queued in the lane; under the lane's lock.</summary>
    private bool TryTakeQueued(CallbackLane lane, out OutboxEvent next)
    {
        if (!lane.Queued.TryDequeue(out next!))
        {
            return false;
        }
        if (lane.QueuedUntried > 0)
        {
            lane.QueuedUntried--;
            Interlocked.Decrement(ref _queuedUntried);
        }
        return true;
    }

    /// <summary>
    /// The callback to use for the event now: its own, or down the fallback chain when that one is
    /// disabled (delivery.md, Fallback). Null when the event is settled here as failed.
    /// </summary>
    private IndexedCallback? Resolve(OutboxEvent outboxEvent, long now)
    {
        for (var hops = 0; hops < 32; hops++)
        {
            var callback = index.Callback(outboxEvent.VoipId, outboxEvent.CallbackId);
            if (callback is null)
            {
                outcomes.Post(new Outcome(outboxEvent, EventStatus.Failed, now, null, outboxEvent.CallbackId, false, "the callback was deleted"));
                return null;
            }
            if (callback.Enabled)
            {
                return callback;
            }
            if (callback.FallbackId is not { } fallback)
            {
                outcomes.Post(new Outcome(outboxEvent, EventStatus.Failed, now, null, callback.Id, false, "the callback is disabled and has no fallback"));
                return null;
            }
            outboxEvent.CallbackId = fallback;
            outboxEvent.Tries = 0;
        }
        outcomes.Post(new Outcome(outboxEvent, EventStatus.Failed, now, null, outboxEvent.CallbackId, false, "the fallback chain loops"));
        return null;
    }

    private async Task SendAsync(OutboxEvent outboxEvent, IndexedCallback callback, CallbackLane lane)
    {
        while (true)
        {
            AttemptResult result;
            using (var span = AttemptSpan.Start(outboxEvent, callback))
            {
                try
                {
                    result = callback.Row.Mode switch
                    {
                        CallbackMode.Email => await email.SendAsync(outboxEvent, callback, _stopping),
                        CallbackMode.Application => await applications.SendAsync(outboxEvent, callback, _stopping),
                        _ => await http.SendAsync(outboxEvent, callback, _stopping),
                    };
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    LogSendFailed(logger, e, outboxEvent.Uuid);
                    result = new AttemptResult(false, Now, 0, callback.Http?.Url, null, "the hub could not send the request: " + e.Message);
                }
                AttemptSpan.End(span, result);
            }
            outcomes.Post(Decide(outboxEvent, callback, result));

            OutboxEvent? next;
            IndexedCallback nextCallback;
            lock (lane)
            {
                var openUntil = lane.OpenUntil;
                lane.Record(result.Success, policy, Now);
                if (lane.OpenUntil > openUntil && limits.Shared && lane.OpenUntil - Now >= ClusterLimits.SharedPauseMs)
                {
                    // The breaker's pause grew long here: the callback looks down, not flaky, and every node pauses it.
                    _ = limits.PublishPauseAsync(callback.Id, lane.OpenUntil, _stopping);
                }
                if (lane.OpenUntil > Now)
                {
                    while (TryTakeQueued(lane, out var waiting))
                    {
                        Wait(waiting, lane.OpenUntil);
                    }
                }
                do
                {
                    if (!TryTakeQueued(lane, out next))
                    {
                        lane.InFlight--;
                        return;
                    }
                    // Queued behind the requests in flight: only now is it sent, so only now does it count.
                    nextCallback = index.Callback(next.VoipId, next.CallbackId) ?? callback;
                }
                while (TakeRateLimit(next, nextCallback, lane, Now) != RateVerdict.Send);
            }
            outboxEvent = next;
            callback = nextCallback;
        }
    }

    /// <summary>delivery.md, Retries and Fallback: what follows an attempt.</summary>
    private Outcome Decide(OutboxEvent outboxEvent, IndexedCallback callback, AttemptResult result)
    {
        outboxEvent.Attempts++;
        outboxEvent.Tries++;
        var now = Now;
        if (result.Success)
        {
            return new Outcome(outboxEvent, EventStatus.Delivered, now, result, callback.Id, false);
        }
        if (!result.Gone && !result.Permanent && policy.RetryWait(outboxEvent.Tries, result.RetryAfter) is { } wait)
        {
            return new Outcome(outboxEvent, EventStatus.Pending, now + (long)wait.TotalMilliseconds, result, callback.Id, false);
        }
        // Exhausted (or 410, or refused for good): the fallback takes over with its own retries, else the event has failed.
        if (callback.FallbackId is { } fallback && AccountListeners.Deliverable(fallback, index.Account(outboxEvent.VoipId)?.Callbacks ?? new Dictionary<long, IndexedCallback>()))
        {
            outboxEvent.CallbackId = fallback;
            outboxEvent.Tries = 0;
            return new Outcome(outboxEvent, EventStatus.Pending, now, result, callback.Id, true);
        }
        return new Outcome(outboxEvent, EventStatus.Failed, now, result, callback.Id, true, FailedBecause(result, outboxEvent.Tries));
    }

    /// <summary>The event's status_reason in the delivery log once its last attempt has failed.</summary>
    private static string FailedBecause(AttemptResult result, int tries) =>
        result.Gone ? "the callback URL answered 410 Gone"
        : result.Permanent ? $"the receiver refused it for good: {result.Error}"
        : $"ran out of attempts ({tries} to this callback); the last one: {result.Error}";

    private CallbackLane LaneOf(long callbackId)
    {
        lock (_lanes)
        {
            if (!_lanes.TryGetValue(callbackId, out var lane))
            {
                _lanes[callbackId] = lane = new CallbackLane();
            }
            return lane;
        }
    }

    /// <summary>Lets the event go from memory until <paramref name="dueAtMs"/>; it is read back from storage then.</summary>
    private void Wait(OutboxEvent outboxEvent, long dueAtMs)
    {
        if (outboxEvent.Tries == 0 && outboxEvent.SendTakenAt is { } taken && taken == outboxEvent.CallbackId)
        {
            // It leaves memory with a send taken and not used: the send stays with the callback's lane, not with it.
            LaneOf(taken).ReturnSend();
            outboxEvent.SendTakenAt = null;
        }
        queue.Later(outboxEvent.Key, dueAtMs);
        queue.Settled(1);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not dispatch event {Uuid}; it is tried again in a minute")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, string uuid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not take sends from the rate limit of callback {CallbackId} in the database; its events try again in a second")]
    private static partial void LogSharedLimitFailed(ILogger logger, Exception exception, long callbackId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the events due for delivery from storage; trying again in a second")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending event {Uuid} failed inside the hub")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string uuid);
}

/// <summary>What the rate limit says of an event about to be sent.</summary>
internal enum RateVerdict
{
    Send,

    /// <summary>The limit is reached: the event is settled as suppressed.</summary>
    Suppressed,

    /// <summary>The event waits while the database is asked (limits shared by nodes).</summary>
    Waits,
}
