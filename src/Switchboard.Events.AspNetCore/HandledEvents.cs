namespace Switchboard.Events.AspNetCore;

/// <summary>What to do with a delivery, given the events handled and being handled.</summary>
internal enum Admission
{
    /// <summary>Not seen: run the handler, then <see cref="HandledEvents.Complete"/> or <see cref="HandledEvents.Abandon"/>.</summary>
    Handle,

    /// <summary>Handled successfully within the window: answer without running the handler.</summary>
    Duplicate,

    /// <summary>Another request is running the handler for this uuid right now.</summary>
    Running,
}

/// <summary>
/// The event uuids an endpoint has handled recently. The hub delivers at least once (a retry
/// after a timeout repeats an event the handler already saw); this keeps one handler run per
/// event while the memory lasts. Bounded by a time window and a count, oldest forgotten first;
/// thread-safe; time from <see cref="TimeProvider"/>'s monotonic clock.
/// </summary>
internal sealed class HandledEvents(TimeSpan window, int capacity, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _handled = new(StringComparer.Ordinal);

    // Completion order is expiry order, since every entry lives the same window.
    private readonly Queue<(string Uuid, long At)> _order = new();
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);

    public Admission Admit(string uuid)
    {
        lock (_gate)
        {
            ForgetOld(time.GetTimestamp());
            if (_handled.Contains(uuid))
            {
                return Admission.Duplicate;
            }
            return _running.Add(uuid) ? Admission.Handle : Admission.Running;
        }
    }

    /// <summary>The handler succeeded: remember the uuid.</summary>
    public void Complete(string uuid)
    {
        lock (_gate)
        {
            _running.Remove(uuid);
            if (window <= TimeSpan.Zero || capacity == 0)
            {
                return;
            }
            var now = time.GetTimestamp();
            _handled.Add(uuid);
            _order.Enqueue((uuid, now));
            ForgetOld(now);
        }
    }

    /// <summary>The handler failed: forget the uuid so the hub's retry runs it again.</summary>
    public void Abandon(string uuid)
    {
        lock (_gate)
        {
            _running.Remove(uuid);
        }
    }

    private void ForgetOld(long now)
    {
        while (_order.TryPeek(out var oldest) && (_order.Count > capacity || time.GetElapsedTime(oldest.At, now) >= window))
        {
            _order.Dequeue();
            _handled.Remove(oldest.Uuid);
        }
    }
}
