namespace Switchboard.Delivery;

/// <summary>
/// One callback's share of the delivery worker (delivery.md, Concurrency and Rate limit): its
/// requests in flight, the events queued behind them, its rate limit's window, and its
/// circuit breaker. Guarded by its own lock; a slow callback only ever fills its own lane.
/// </summary>
internal sealed class CallbackLane
{
    /// <summary>Events a lane may queue behind its requests in flight at most; more wait in storage (DeliveryWorker.TryQueue).</summary>
    public const int MaxQueued = 2_000;

    /// <summary>…and before any attempt of it has ended: a first burst, not a callback's worth of events behind requests that may hang.</summary>
    public const int MaxQueuedUntried = 256;

    // Attempts ended in the current second and the one before (from _windowStart, UNIX ms).
    private long _windowStart;
    private int _endedThisSecond;
    private int _endedLastSecond;

    private RateLimitWindow? _rateLimit;

    public Queue<OutboxEvent> Queued { get; } = new();

    /// <summary>How many of <see cref="Queued"/> were queued before any attempt had ended.</summary>
    public int QueuedUntried { get; set; }

    public int InFlight { get; set; }

    public int FailuresInARow { get; private set; }

    /// <summary>Whether any attempt to it has ended (with any result) since the hub started.</summary>
    public bool Tried { get; private set; }

    /// <summary>Whether its last attempt succeeded.</summary>
    public bool Answering { get; private set; }

    /// <summary>
    /// Attempts that ended in the last second or so, whatever their result: how many events the
    /// callback gets through in a second now. A callback whose requests hang gets through none.
    /// </summary>
    public int EndedPerSecond(long now)
    {
        Roll(now);
        return Math.Max(_endedThisSecond, _endedLastSecond);
    }

    private void Roll(long now)
    {
        if (now - _windowStart >= 1000)
        {
            _endedLastSecond = now - _windowStart < 2000 ? _endedThisSecond : 0;
            _endedThisSecond = 0;
            _windowStart = now;
        }
    }

    /// <summary>
    /// Where nodes share the rate limit: events waiting while this node asks the database for their
    /// sends (one request at a time per callback, for all the events that wait).
    /// </summary>
    public Queue<OutboxEvent> AwaitingSends { get; } = new();

    public bool TakingSends { get; set; }

    // Sends taken from the shared window for events that then had to wait after all (the breaker
    // opened): the next events to be sent use them, so a wait never takes a send twice.
    private int _returnedSends;

    public void ReturnSend() => Interlocked.Increment(ref _returnedSends);

    public bool TryUseReturnedSend()
    {
        for (var left = Volatile.Read(ref _returnedSends); left > 0; left = Volatile.Read(ref _returnedSends))
        {
            if (Interlocked.CompareExchange(ref _returnedSends, left - 1, left) == left)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Until when (UNIX ms) the shared rate limit is known to be reached: events are suppressed without asking.</summary>
    public long LimitReachedUntil { get; set; }

    /// <summary>While in the future (UNIX ms), the breaker is open: no requests to this callback.</summary>
    public long OpenUntil { get; private set; }

    /// <summary>Takes one send from the rate limit: false when <paramref name="number"/> were sent within the last <paramref name="periodMs"/>.</summary>
    public bool TryTakeSend(int number, long periodMs, long now)
    {
        // A new period (the callback was changed) starts counting afresh; a new number applies to the sends counted so far.
        if (_rateLimit?.PeriodMs != periodMs)
        {
            _rateLimit = new RateLimitWindow(periodMs);
        }
        return _rateLimit.TryTake(number, now);
    }

    /// <summary>Another node's breaker opened for this callback: no requests from here either until <paramref name="until"/>.</summary>
    public bool PauseUntil(long until)
    {
        if (until <= OpenUntil)
        {
            return false;
        }
        OpenUntil = until;
        return true;
    }

    /// <summary>Counts an attempt; enough failures in a row open the breaker for longer each time, up to 30 s.</summary>
    public void Record(bool success, DeliveryPolicy policy, long now)
    {
        Tried = true;
        Answering = success;
        Roll(now);
        _endedThisSecond++;
        if (success)
        {
            FailuresInARow = 0;
            OpenUntil = 0;
            return;
        }
        FailuresInARow++;
        if (policy.BreakerPauseMs(FailuresInARow) is > 0 and var pause)
        {
            OpenUntil = now + pause;
        }
    }
}
