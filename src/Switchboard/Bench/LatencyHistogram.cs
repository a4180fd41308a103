namespace Switchboard.Bench;

/// <summary>
/// Latencies in microseconds, counted in log-linear buckets (exact below 256 µs, then 128 buckets
/// per power of two, so under 0.8 % error): a few thousand counters whatever the run's length,
/// allocated once, recorded from many threads without locks.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Exact = 256;
    private const int SubBuckets = 128;
    private const int MaxShift = 40;

    private readonly long[] _counts = new long[Exact + (MaxShift * SubBuckets)];
    private long _total;
    private long _maxMicros;

    public long Count => Interlocked.Read(ref _total);

    public void Record(long micros)
    {
        micros = Math.Max(0, micros);
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        Interlocked.Increment(ref _total);
        long max;
        while (micros > (max = Interlocked.Read(ref _maxMicros)) && Interlocked.CompareExchange(ref _maxMicros, micros, max) != max)
        {
        }
    }

    /// <summary>The latency in milliseconds below which <paramref name="percentile"/> % of the recorded ones fall (0 when none).</summary>
    public double PercentileMs(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }
        var rank = (long)Math.Ceiling(total * percentile / 100);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= Math.Max(1, rank))
            {
                return Math.Min(UpperBoundOf(i), Interlocked.Read(ref _maxMicros)) / 1000.0;
            }
        }
        return MaxMs;
    }

    public double MaxMs => Interlocked.Read(ref _maxMicros) / 1000.0;

    private static int IndexOf(long micros)
    {
        if (micros < Exact)
        {
            return (int)micros;
        }
        var shift = Math.Min(MaxShift, 63 - (int)long.LeadingZeroCount(micros) - 7);
        var sub = (int)Math.Min((micros >> shift) - SubBuckets, SubBuckets - 1);
        return Exact + ((shift - 1) * SubBuckets) + sub;
    }

    private static long UpperBoundOf(int index)
    {
        if (index < Exact)
        {
            return index;
        }
        var shift = ((index - Exact) / SubBuckets) + 1;
        var sub = ((index - Exact) % SubBuckets) + SubBuckets;
        return ((sub + 1L) << shift) - 1;
    }
}
