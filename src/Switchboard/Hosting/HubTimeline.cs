namespace Switchboard.Hosting;

/// <summary>One minute of the hub's work: activities in, events settled, and how long delivered events took from ingest.</summary>
internal sealed record MinuteFigures(DateTimeOffset Start, long Ingested, long Delivered, long Failed, long LatencyCount, long LatencySumMs, long LatencyMaxMs)
{
    public long? AverageLatencyMs => LatencyCount == 0 ? null : LatencySumMs / LatencyCount;
}

/// <summary>
/// The last hour of this node's work, minute by minute, for the operator's dashboard: a ring of
/// 60 buckets counted as things are stored, so drawing the charts reads no table.
/// </summary>
internal sealed class HubTimeline(TimeProvider clock)
{
    public const int Minutes = 60;

    private readonly Bucket[] _buckets = [.. Enumerable.Range(0, Minutes).Select(_ => new Bucket())];

    public void Ingested(long activities) => Add(b => b.Ingested += activities);

    public void Delivered(long latencyMs) => Add(b =>
    {
        b.Delivered++;
        b.LatencyCount++;
        b.LatencySumMs += latencyMs;
        b.LatencyMaxMs = Math.Max(b.LatencyMaxMs, latencyMs);
    });

    public void Failed() => Add(b => b.Failed++);

    /// <summary>The last <see cref="Minutes"/> minutes, oldest first, the current one last.</summary>
    public IReadOnlyList<MinuteFigures> LastHour()
    {
        var now = CurrentMinute();
        var figures = new List<MinuteFigures>(Minutes);
        for (var minute = now - Minutes + 1; minute <= now; minute++)
        {
            var bucket = _buckets[(int)(minute % Minutes)];
            lock (bucket)
            {
                var start = DateTimeOffset.FromUnixTimeSeconds(minute * 60);
                figures.Add(bucket.Minute == minute
                    ? new MinuteFigures(start, bucket.Ingested, bucket.Delivered, bucket.Failed, bucket.LatencyCount, bucket.LatencySumMs, bucket.LatencyMaxMs)
                    : new MinuteFigures(start, 0, 0, 0, 0, 0, 0));
            }
        }
        return figures;
    }

    private long CurrentMinute() => clock.GetUtcNow().ToUnixTimeSeconds() / 60;

    private void Add(Action<Bucket> change)
    {
        var minute = CurrentMinute();
        var bucket = _buckets[(int)(minute % Minutes)];
        lock (bucket)
        {
            if (bucket.Minute != minute)
            {
                bucket.Reset(minute);
            }
            change(bucket);
        }
    }

    private sealed class Bucket
    {
        public long Minute { get; private set; } = -1;

        public long Ingested { get; set; }

        public long Delivered { get; set; }

        public long Failed { get; set; }

        public long LatencyCount { get; set; }

        public long LatencySumMs { get; set; }

        public long LatencyMaxMs { get; set; }

        public void Reset(long minute)
        {
            Minute = minute;
            Ingested = Delivered = Failed = LatencyCount = LatencySumMs = LatencyMaxMs = 0;
        }
    }
}
