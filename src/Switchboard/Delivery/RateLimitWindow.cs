namespace Switchboard.Delivery;

/// <summary>
/// A callback's rate limit (delivery.md, Rate limit) in constant memory, however large its
/// <c>number</c> and <c>period</c>: a sliding window of <see cref="Buckets"/> buckets, each a
/// hundredth of the period, counting the sends that fell in it.
/// </summary>
/// <remarks>
/// A send is allowed while the current bucket and the <see cref="Buckets"/> before it hold fewer
/// than <c>number</c> sends. Those buckets cover the last period and up to one bucket more, so no
/// window of <c>period</c> ever holds more than <c>number</c> sends. The price is being
/// conservative by at most one bucket: a send keeps counting for up to 1 % of the period after it
/// left the window, so at worst the limit acts as <c>number</c> per 1.01 × <c>period</c>.
/// </remarks>
internal sealed class RateLimitWindow
{
    public const int Buckets = 100;

    private readonly long _bucketMs;

    /// <summary>Sends per bucket, a ring of the current bucket and the <see cref="Buckets"/> before it.</summary>
    private readonly int[] _counts = new int[Buckets + 1];

    /// <summary>The number of the current bucket (UNIX ms / bucket width); none yet at first.</summary>
    private long _current = long.MinValue;

    /// <summary>The sum of <see cref="_counts"/>.</summary>
    private long _total;

    public RateLimitWindow(long periodMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(periodMs, 1);
        PeriodMs = periodMs;
        // Rounded up, so the buckets always span at least the period.
        _bucketMs = (periodMs + Buckets - 1) / Buckets;
    }

    public long PeriodMs { get; }

    /// <summary>
    /// Counts a send at <paramref name="nowMs"/> (UNIX ms) unless <paramref name="number"/> are
    /// already counted in the window; false then, and nothing is counted.
    /// </summary>
    public bool TryTake(int number, long nowMs)
    {
        Advance(Math.Max(0, nowMs) / _bucketMs);
        if (_total >= number)
        {
            return false;
        }
        _counts[Slot(_current)]++;
        _total++;
        return true;
    }

    private void Advance(long bucket)
    {
        // The same bucket, or a clock that stepped back: the send counts in the newest bucket, which only keeps it longer.
        if (bucket <= _current)
        {
            return;
        }
        if (_current == long.MinValue || bucket - _current > Buckets)
        {
            Array.Clear(_counts);
            _total = 0;
        }
        else
        {
            for (var b = _current + 1; b <= bucket; b++)
            {
                _total -= _counts[Slot(b)];
                _counts[Slot(b)] = 0;
            }
        }
        _current = bucket;
    }

    private static int Slot(long bucket) => (int)(bucket % (Buckets + 1));
}
