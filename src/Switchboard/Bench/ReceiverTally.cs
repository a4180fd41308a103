namespace Switchboard.Bench;

/// <summary>
/// What a <see cref="BenchReceiver"/> got during one phase of the bench: the events that carried a
/// send time, their latencies, and when the run passed 10 % and 90 % of <paramref name="expected"/>
/// (the steady part, without the start and the tail).
/// </summary>
internal sealed class ReceiverTally(long expected)
{
    private readonly long _tenPercent = Math.Max(1, expected / 10);
    private readonly long _ninetyPercent = Math.Max(1, expected * 9 / 10);
    private long _events;
    private long _others;
    private long _lastNs;

    public long Expected { get; } = expected;

    public LatencyHistogram Latencies { get; } = new();

    public long Events => Interlocked.Read(ref _events);

    /// <summary>Requests without a send time (the callback verification, other events of a shared hub).</summary>
    public long Others => Interlocked.Read(ref _others);

    public long LastNs => Interlocked.Read(ref _lastNs);

    public long TenPercentNs { get; private set; }

    public long NinetyPercentNs { get; private set; }

    public void Record(long sentAtNs, long receivedNs)
    {
        if (sentAtNs < 0)
        {
            Interlocked.Increment(ref _others);
            return;
        }
        Latencies.Record((receivedNs - sentAtNs) / 1000);
        var count = Interlocked.Increment(ref _events);
        if (count == _tenPercent)
        {
            TenPercentNs = receivedNs;
        }
        if (count == _ninetyPercent)
        {
            NinetyPercentNs = receivedNs;
        }
        long last;
        while (receivedNs > (last = Interlocked.Read(ref _lastNs)) && Interlocked.CompareExchange(ref _lastNs, receivedNs, last) != last)
        {
        }
    }

    /// <summary>Events per second between 10 % and 90 % of those expected, or null when the run did not get that far.</summary>
    public double? SteadyPerSecond =>
        NinetyPercentNs > TenPercentNs && TenPercentNs > 0
            ? (_ninetyPercent - _tenPercent) / ((NinetyPercentNs - TenPercentNs) / 1e9)
            : null;
}
