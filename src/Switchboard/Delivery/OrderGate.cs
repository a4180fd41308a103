using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// delivery.md, Ordered listeners: for each (ordered listener, data object) the one event that may
/// be in flight — the earliest not ended — and the later ones waiting behind it. Up to
/// <see cref="MaxHeld"/> waiting events stay in memory and go on at once when their turn comes;
/// beyond that they wait as keys and are read back from storage then, so a call whose receiver is
/// down for hours costs a few bytes per waiting event, and other objects never wait for it. Storage
/// keeps the same order in <c>ordered_events</c>, from which the first events are known again after a restart.
/// </summary>
internal sealed class OrderGate(HubDatabase database, OutboxQueue queue, TimeProvider clock)
{
    private static readonly Comparer<EventKey> ByActivity = Comparer<EventKey>.Create((a, b) =>
        a.ActivityId != b.ActivityId ? a.ActivityId.CompareTo(b.ActivityId) : a.Slot.CompareTo(b.Slot));

    /// <summary>Waiting events kept whole in memory at most, across all objects.</summary>
    public const int MaxHeld = 10_000;

    private readonly Dictionary<(long Listener, string Object), Group> _groups = [];
    private readonly Lock _lock = new();
    private int _held;

    /// <summary>Start-up, before delivery: the first event of each object that has one not ended goes first.</summary>
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        List<(long ListenerId, string ObjectUuid, long ActivityId)> heads;
        await using (var db = await database.ConnectAsync(cancellationToken))
        {
            heads = await OrderedEventTable.HeadsAsync(db, cancellationToken);
        }
        lock (_lock)
        {
            foreach (var (listenerId, objectUuid, activityId) in heads)
            {
                _groups.TryAdd((listenerId, objectUuid), new Group { Head = activityId });
            }
        }
    }

    /// <summary>
    /// True when the event of an ordered listener may be sent now: it is its object's first not
    /// ended. Else it waits behind that one and <see cref="Ended"/> brings it back in its turn.
    /// </summary>
    public bool TryEnter(OutboxEvent outboxEvent)
    {
        var key = (outboxEvent.ListenerId, outboxEvent.Activity.DataObjectUuid);
        lock (_lock)
        {
            if (!_groups.TryGetValue(key, out var group))
            {
                _groups[key] = new Group { Head = outboxEvent.Key.ActivityId };
                return true;
            }
            if (group.Head == outboxEvent.Key.ActivityId)
            {
                // The first one back from a retry, a breaker's pause or its turn.
                return true;
            }
            var held = _held < MaxHeld ? outboxEvent : null;
            if ((group.Waiting ??= new SortedDictionary<EventKey, OutboxEvent?>(ByActivity)).TryAdd(outboxEvent.Key, held) && held is not null)
            {
                _held++;
            }
            return false;
        }
    }

    /// <summary>
    /// Where nodes share the database, another node may hold an earlier event of the object: true
    /// when storage has none before this one; else when to look again (the earlier one's next try,
    /// or soon while it is being sent).
    /// </summary>
    public async Task<(bool First, long LookAgainAt)> IsFirstAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var first = await OrderedEventTable.FirstAsync(db, outboxEvent.ListenerId, outboxEvent.Activity.DataObjectUuid, cancellationToken);
        var soon = clock.GetUtcNow().ToUnixTimeMilliseconds() + LookAgainMs;
        return first is not { } earlier || earlier.ActivityId >= outboxEvent.Key.ActivityId
            ? (true, 0)
            : (false, Math.Max(soon, (earlier.NextAttemptAt ?? 0) + LookAgainMs));
    }

    private const long LookAgainMs = 200;

    /// <summary>An event of an ordered listener has ended and that is stored: the next of its object goes.</summary>
    public void Ended(OutboxEvent outboxEvent)
    {
        var key = (outboxEvent.ListenerId, outboxEvent.Activity.DataObjectUuid);
        KeyValuePair<EventKey, OutboxEvent?> next;
        lock (_lock)
        {
            if (!_groups.TryGetValue(key, out var group))
            {
                return;
            }
            if (group.Head != outboxEvent.Key.ActivityId)
            {
                if (group.Waiting?.Remove(outboxEvent.Key, out var dropped) == true && dropped is not null)
                {
                    _held--;
                }
                return;
            }
            if (group.Waiting is not { Count: > 0 })
            {
                _groups.Remove(key);
                return;
            }
            next = group.Waiting.First();
            group.Waiting.Remove(next.Key);
            group.Head = next.Key.ActivityId;
            if (next.Value is not null)
            {
                _held--;
            }
        }
        if (next.Value is { } waiting)
        {
            queue.Ready(waiting);
        }
        else
        {
            queue.Later(next.Key, clock.GetUtcNow().ToUnixTimeMilliseconds());
        }
    }

    private sealed class Group
    {
        /// <summary>The activity of the event that may be in flight.</summary>
        public long Head { get; set; }

        /// <summary>The events behind it in order, each whole or, past <see cref="MaxHeld"/>, its key only (null).</summary>
        public SortedDictionary<EventKey, OutboxEvent?>? Waiting { get; set; }
    }
}
