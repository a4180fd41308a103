namespace Switchboard.Events;

/// <summary>
/// Rebuilds calls from call events that arrive in any order and possibly more than once
/// (events.md, "Call legs and ordering"). A call's state is a function of the set of distinct
/// events seen, never of their arrival order: a leg's state is the latest by the state order
/// (new, connecting, connected, completed), then <c>timestamp_ns</c>, then event uuid.
/// Safe to use from several threads.
/// </summary>
public sealed class CallTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, Event>> _calls = new(StringComparer.Ordinal);

    /// <summary>
    /// Feeds one event. Returns false when it was ignored: not a call event, or an event
    /// (by <c>uuid</c>) already seen.
    /// </summary>
    public bool Track(Event value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Data is not CallData call)
        {
            return false;
        }
        lock (_gate)
        {
            if (!_calls.TryGetValue(call.Uuid, out var events))
            {
                _calls[call.Uuid] = events = new Dictionary<string, Event>(StringComparer.Ordinal);
            }
            return events.TryAdd(value.Uuid, value);
        }
    }

    /// <summary>The call's current state, or null when no event of it was seen.</summary>
    public TrackedCall? Get(string callUuid)
    {
        lock (_gate)
        {
            return _calls.TryGetValue(callUuid, out var events) ? Build(callUuid, events.Values) : null;
        }
    }

    /// <summary>Every call seen, by call uuid.</summary>
    public IReadOnlyList<TrackedCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return _calls.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => Build(c.Key, c.Value.Values)).ToList();
            }
        }
    }

    /// <summary>Forgets a call (for example once it has completed and been handled).</summary>
    public bool Forget(string callUuid)
    {
        lock (_gate)
        {
            return _calls.Remove(callUuid);
        }
    }

    private static TrackedCall Build(string callUuid, IEnumerable<Event> events)
    {
        // Sorting by a total order first makes every choice below independent of arrival order.
        var ordered = events.OrderBy(e => e.TimestampNs).ThenBy(e => e.Uuid, StringComparer.Ordinal).ToList();
        var legs = new Dictionary<string, (Leg Leg, Event? Latest)>(StringComparer.Ordinal);
        long? firstConnectedAt = null;
        var connectedAt = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in ordered)
        {
            var call = (CallData)e.Data;
            var leg = call.EventLeg;
            if (!legs.TryGetValue(leg.Uuid, out var known) || known.Latest is null || IsLater(e, known.Latest))
            {
                legs[leg.Uuid] = (leg, e);
            }
            if (call.FirstLeg is { } first && !legs.ContainsKey(first.Uuid))
            {
                legs[first.Uuid] = (first, null);
            }
            if (leg.State == LegState.Connected)
            {
                connectedAt.TryAdd(leg.Uuid, e.TimestampNs);
                if (leg.IsFirst)
                {
                    firstConnectedAt ??= e.TimestampNs;
                }
            }
        }

        var tracked = legs.Values
            .Select(l => new TrackedLeg(
                l.Leg.Uuid,
                l.Leg.IsFirst,
                l.Leg.From,
                l.Leg.To,
                l.Latest is null ? null : ((CallData)l.Latest.Data).EventLeg.State,
                l.Latest is null ? null : ((CallData)l.Latest.Data).EventLeg.CompletionStatus,
                l.Latest?.TimestampNs))
            .OrderBy(l => l.IsFirst ? 0 : 1)
            .ThenBy(l => l.Uuid, StringComparer.Ordinal)
            .ToList();

        var answeredBy = tracked
            .Where(l => !l.IsFirst && (connectedAt.ContainsKey(l.Uuid) || l.CompletionStatus == CompletionStatus.Success))
            .OrderBy(l => connectedAt.TryGetValue(l.Uuid, out var at) ? at : long.MaxValue)
            .ThenBy(l => l.Uuid, StringComparer.Ordinal)
            .FirstOrDefault();
        var firstLeg = tracked.FirstOrDefault(l => l.IsFirst && l.State is not null);
        var completed = firstLeg?.State == LegState.Completed;
        long? answeredAt = firstConnectedAt
            ?? (answeredBy is not null && connectedAt.TryGetValue(answeredBy.Uuid, out var legAnsweredAt) ? legAnsweredAt : null);

        return new TrackedCall(
            callUuid,
            ((CallData)ordered[0].Data).Direction,
            tracked,
            completed ? firstLeg!.CompletionStatus : null,
            answeredBy,
            ordered[0].TimestampNs,
            answeredAt,
            completed ? firstLeg!.UpdatedAtNs : null);
    }

    /// <summary>The leg state order first, then time, then event uuid: a total order.</summary>
    private static bool IsLater(Event candidate, Event current)
    {
        var a = ((CallData)candidate.Data).EventLeg.State ?? LegState.New;
        var b = ((CallData)current.Data).EventLeg.State ?? LegState.New;
        if (a != b)
        {
            return a > b;
        }
        if (candidate.TimestampNs != current.TimestampNs)
        {
            return candidate.TimestampNs > current.TimestampNs;
        }
        return string.CompareOrdinal(candidate.Uuid, current.Uuid) > 0;
    }
}
