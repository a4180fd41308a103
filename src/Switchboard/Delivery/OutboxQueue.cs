using Microsoft.Extensions.Options;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// Where the delivery worker's next event comes from. Storage is the truth; memory is the fast
/// path. Each pending event is in exactly one of three places:
/// <list type="bullet">
/// <item>fresh: its activity was just committed and handed over whole, while there is room;</item>
/// <item>waiting: a key with a due time (a retry, a fallback, a breaker pause, a redelivery),
/// read back from storage when due, so a long retry queue costs a few bytes per event;</item>
/// <item>backlog: committed but not handed over (memory was full, or the process restarted),
/// read back from open_activities in id order by a cursor;</item>
/// <item>taken over: open activities of a node that is gone (scaling.md), read back by id.</item>
/// </list>
/// Storage says which node holds what; this node's queue holds only its own.
/// </summary>
internal sealed class OutboxQueue(HubDatabase database, HubNode node, EventUuids uuids, TimeProvider clock, IOptions<DeliveryOptions> options)
{
    private const int PageSize = 500;
    private const int FreshCapacity = 10_000;

    // Events taken by the worker and not yet settled in storage; bounds the memory delivery uses.
    private readonly SemaphoreSlim _inMemory = new(options.Value.MaxEventsInMemory, options.Value.MaxEventsInMemory);

    // The same count for metrics: the semaphore also holds the slot NextAsync takes before it has an event.
    private int _taken;

    private readonly Queue<OutboxEvent> _fresh = new();
    // By due time, and among those due at once by when they were put here: a replay's events come back in their order.
    private readonly PriorityQueue<EventKey, (long Due, long Sequence)> _waiting = new();
    private long _waitingSequence;
    private readonly Queue<OutboxEvent> _ready = new();
    private readonly Queue<long> _takenOver = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    // Until RecoverAsync has run, everything committed stays backlog, so nothing is both fresh and read back.
    private bool _recovered;

    // Backlog: open activities with ids from _backlogCursor on are in storage only; _backlogEnd is
    // the highest id committed while it lasted, so it ends only once the cursor has passed it.
    private bool _backlog;
    private long _backlogCursor;
    private long _backlogEnd = -1;

    /// <summary>
    /// Start-up, before the hub takes requests: every open activity is backlog and every event
    /// waiting for a try is waiting. What ingest hands over before this stays in storage and is
    /// read back with the backlog, once.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        List<(EventKey Key, long DueAt)> waiting;
        await using (var db = await database.ConnectAsync(cancellationToken))
        {
            waiting = await OutboxReads.WaitingAsync(db, node.Id, cancellationToken);
        }
        lock (_gate)
        {
            _recovered = true;
            _backlog = true;
            _backlogCursor = 0;
            foreach (var (key, due) in waiting)
            {
                _waiting.Enqueue(key, (due, _waitingSequence++));
            }
        }
        Wake();
    }

    /// <summary>Activities the writer just committed; those that do not fit in memory stay in storage as backlog.</summary>
    public void Add(IReadOnlyList<StoredActivity> committed)
    {
        var added = false;
        lock (_gate)
        {
            foreach (var activity in committed)
            {
                if (activity.Targets.Count == 0 || activity.Id < _backlogCursor)
                {
                    // No events, or committed before a backlog page was read, and read with it already.
                    continue;
                }
                if (_backlog || !_recovered)
                {
                    _backlogEnd = Math.Max(_backlogEnd, activity.Id);
                }
                else if (_fresh.Count + activity.Targets.Count <= FreshCapacity)
                {
                    for (var slot = 0; slot < activity.Targets.Count; slot++)
                    {
                        _fresh.Enqueue(Event(activity, slot, null));
                    }
                    added = true;
                }
                else
                {
                    _backlog = true;
                    _backlogCursor = activity.Id;
                    _backlogEnd = activity.Id;
                }
            }
        }
        if (added)
        {
            Wake();
        }
    }

    /// <summary>
    /// Work this node just took from one that is gone: waiting events, and open activities read
    /// back by id — but for those the backlog's cursor has still to reach, which it reads anyway.
    /// </summary>
    public void TakeOver(IReadOnlyList<long> activityIds, IReadOnlyList<(EventKey Key, long DueAt)> waiting)
    {
        lock (_gate)
        {
            foreach (var (key, due) in waiting)
            {
                _waiting.Enqueue(key, (due, _waitingSequence++));
            }
            foreach (var id in activityIds)
            {
                if (_backlog && id >= _backlogCursor)
                {
                    _backlogEnd = Math.Max(_backlogEnd, id);
                }
                else
                {
                    _takenOver.Enqueue(id);
                }
            }
        }
        Wake();
    }

    /// <summary>Deliver this event again at <paramref name="dueAtMs"/> (UNIX ms); it is read back from storage then.</summary>
    public void Later(EventKey key, long dueAtMs)
    {
        lock (_gate)
        {
            _waiting.Enqueue(key, (dueAtMs, _waitingSequence++));
        }
        Wake();
    }

    /// <summary>An event let go from memory earlier (its slot settled) that may go now, kept whole meanwhile: no read from storage.</summary>
    public void Ready(OutboxEvent outboxEvent)
    {
        lock (_gate)
        {
            _ready.Enqueue(outboxEvent);
        }
        Wake();
    }

    /// <summary>How many events wait for a later attempt (metrics).</summary>
    public int WaitingCount
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>How many events may be taken and not yet settled at once: <c>Delivery:MaxEventsInMemory</c>.</summary>
    public int Capacity { get; } = options.Value.MaxEventsInMemory;

    /// <summary>Events taken by <see cref="NextAsync"/> and not yet <see cref="Settled"/> (metrics).</summary>
    public int InMemory => Volatile.Read(ref _taken);

    /// <summary>Events taken by <see cref="NextAsync"/> are settled in storage (or put back to wait): room for more.</summary>
    public void Settled(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _taken, -count);
            _inMemory.Release(count);
        }
    }

    /// <summary>
    /// The next event to deliver, waiting until there is one and until fewer than
    /// <c>Delivery:MaxEventsInMemory</c> are unsettled. One reader only.
    /// </summary>
    public async ValueTask<OutboxEvent> NextAsync(CancellationToken cancellationToken)
    {
        await _inMemory.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                if (TryTake(out var ready))
                {
                    Interlocked.Increment(ref _taken);
                    return ready;
                }
                if (await LoadDueAsync(cancellationToken) || await LoadTakenOverAsync(cancellationToken) || await LoadBacklogAsync(cancellationToken))
                {
                    continue;
                }
                var delay = TimeSpan.FromMilliseconds(Math.Clamp(NextDueInMs(), 1, 1000));
                await _signal.WaitAsync(delay, cancellationToken);
            }
        }
        catch
        {
            // Storage could not be read (or the hub stops): no event was taken, so its room is free again.
            _inMemory.Release();
            throw;
        }
    }

    private bool TryTake(out OutboxEvent next)
    {
        lock (_gate)
        {
            return _ready.TryDequeue(out next!) || _fresh.TryDequeue(out next!);
        }
    }

    private OutboxEvent Event(StoredActivity activity, int slot, EventState? state)
    {
        var key = new EventKey(activity.Id, slot);
        var outboxEvent = new OutboxEvent(key, state?.LegacyUuid ?? uuids.Format(activity.CreatedAt, key), activity);
        if (state is not null)
        {
            outboxEvent.CallbackId = state.CallbackId;
            outboxEvent.Tries = state.Tries;
            outboxEvent.Attempts = state.Attempts;
            outboxEvent.HasRow = true;
        }
        return outboxEvent;
    }

    private void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    private long NextDueInMs()
    {
        lock (_gate)
        {
            return _waiting.TryPeek(out _, out var due) ? due.Due - clock.GetUtcNow().ToUnixTimeMilliseconds() : 1000;
        }
    }

    private async Task<bool> LoadDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var due = new List<(EventKey Key, (long Due, long Sequence) At)>();
        lock (_gate)
        {
            while (due.Count < PageSize && _waiting.TryPeek(out _, out var at) && at.Due <= now)
            {
                due.Add((_waiting.Dequeue(), at));
            }
        }
        if (due.Count == 0)
        {
            return false;
        }
        List<PendingEvent> pending;
        try
        {
            await using var db = await database.ConnectAsync(cancellationToken);
            pending = await OutboxReads.PendingAsync(db, [.. due.Select(d => d.Key)], cancellationToken);
        }
        catch
        {
            // Storage could not be read: the keys wait again where they were, or these events would
            // stay pending in storage unread until the next restart.
            lock (_gate)
            {
                foreach (var (key, at) in due)
                {
                    _waiting.Enqueue(key, at);
                }
            }
            throw;
        }
        lock (_gate)
        {
            foreach (var found in pending)
            {
                _ready.Enqueue(Event(found.Activity, found.Slot, found.State));
            }
        }
        return true;
    }

    private async Task<bool> LoadTakenOverAsync(CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        lock (_gate)
        {
            while (ids.Count < PageSize && _takenOver.TryDequeue(out var id))
            {
                ids.Add(id);
            }
        }
        if (ids.Count == 0)
        {
            return false;
        }
        List<(StoredActivity Activity, List<int> Rowless)> page;
        try
        {
            await using var db = await database.ConnectAsync(cancellationToken);
            page = await OutboxReads.OpenByIdAsync(db, ids, cancellationToken);
        }
        catch
        {
            // Storage could not be read: taken over still, to be read when it can be.
            lock (_gate)
            {
                foreach (var id in ids)
                {
                    _takenOver.Enqueue(id);
                }
            }
            throw;
        }
        lock (_gate)
        {
            EnqueueRowless(page);
        }
        return true;
    }

    /// <summary>The events of these activities that have had no outcome, ready to deliver; under the gate.</summary>
    private void EnqueueRowless(List<(StoredActivity Activity, List<int> Rowless)> page)
    {
        foreach (var (activity, rowless) in page)
        {
            foreach (var slot in rowless)
            {
                _ready.Enqueue(Event(activity, slot, null));
            }
        }
    }

    private async Task<bool> LoadBacklogAsync(CancellationToken cancellationToken)
    {
        long cursor;
        lock (_gate)
        {
            if (!_backlog)
            {
                return false;
            }
            cursor = _backlogCursor;
        }
        List<(StoredActivity Activity, List<int> Rowless)> page;
        await using (var db = await database.ConnectAsync(cancellationToken))
        {
            page = await OutboxReads.OpenPageAsync(db, node.Id, cursor, PageSize, cancellationToken);
        }
        lock (_gate)
        {
            EnqueueRowless(page);
            if (page.Count > 0)
            {
                _backlogCursor = page[^1].Activity.Id + 1;
            }
            if (page.Count < PageSize && _backlogEnd < _backlogCursor)
            {
                // Caught up: what the writer commits from now on is handed over in memory again.
                _backlog = false;
            }
        }
        return page.Count > 0;
    }
}
