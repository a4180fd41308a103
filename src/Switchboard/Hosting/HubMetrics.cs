using Switchboard.Delivery;

namespace Switchboard.Hosting;

/// <summary>
/// Counters of what the pipeline has stored since the process started, for <c>GET /metrics</c>.
/// Counted after the commit that makes each thing durable, so they never run ahead of storage.
/// </summary>
internal sealed class HubMetrics(TimeProvider clock)
{
    private long _activitiesIngested;
    private long _eventsCreated;
    private long _delivered;
    private long _failed;
    private long _suppressed;
    private long _successfulAttempts;
    private long _failedAttempts;

    public long ActivitiesIngested => Interlocked.Read(ref _activitiesIngested);

    public long EventsCreated => Interlocked.Read(ref _eventsCreated);

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failed => Interlocked.Read(ref _failed);

    public long Suppressed => Interlocked.Read(ref _suppressed);

    public long SuccessfulAttempts => Interlocked.Read(ref _successfulAttempts);

    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    /// <summary>The last hour minute by minute, for the operator's dashboard.</summary>
    public HubTimeline Timeline { get; } = new(clock);

    /// <summary>Ingest committed these activities and the events rendered from them.</summary>
    public void Ingested(long activities, long events)
    {
        Interlocked.Add(ref _activitiesIngested, activities);
        Interlocked.Add(ref _eventsCreated, events);
        Timeline.Ingested(activities);
    }

    /// <summary>An outcome was committed: the attempt it records, and the event's end if it has one.</summary>
    public void Recorded(Outcome outcome)
    {
        if (outcome.Attempt is { } attempt)
        {
            if (attempt.Success)
            {
                Interlocked.Increment(ref _successfulAttempts);
            }
            else
            {
                Interlocked.Increment(ref _failedAttempts);
            }
        }
        switch (outcome.Status)
        {
            case EventStatus.Delivered:
                Interlocked.Increment(ref _delivered);
                Timeline.Delivered(Math.Max(0, clock.GetUtcNow().ToUnixTimeMilliseconds() - outcome.Event.Activity.CreatedAt));
                break;
            case EventStatus.Failed:
                Interlocked.Increment(ref _failed);
                Timeline.Failed();
                break;
            case EventStatus.Suppressed:
                Interlocked.Increment(ref _suppressed);
                break;
        }
    }
}
