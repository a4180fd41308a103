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
    public bool TryTake(int number, long nowMs) => Take(number, nowMs, 1) == 1;

    /// <summary>
    /// Counts up to <paramref name="wanted"/> sends at <paramref name="nowMs"/>, as many as the limit
    /// leaves room for; how many were counted.
    /// </summary>
    public int Take(int number, long nowMs, int wanted)
    {
        Advance(Math.Max(0, nowMs) / _bucketMs);
        var granted = (int)Math.Clamp(number - _total, 0, wanted);
        _counts[Slot(_current)] += granted;
        _total += granted;
        return granted;
    }

    /// <summary>When the next bucket starts: the earliest a full window can have room again.</summary>
    public long NextBucketAt(long nowMs) => ((Math.Max(0, nowMs) / _bucketMs) + 1) * _bucketMs;

    /// <summary>The window as a row of <c>rate_budgets</c> keeps it, where nodes share one window per callback.</summary>
    public (long Bucket, string Counts) Save() => (_current, string.Join(',', _counts));

    /// <summary>A window saved by <see cref="Save"/>; a fresh one when it was saved for another period or does not parse.</summary>
    public static RateLimitWindow Restore(long periodMs, long savedPeriodMs, long bucket, string counts)
    {
        var window = new RateLimitWindow(periodMs);
        var parts = counts.Split(',');
        if (savedPeriodMs != periodMs || parts.Length != Buckets + 1)
        {
            return window;
        }
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.CultureInfo.InvariantCulture, out window._counts[i]) || window._counts[i] < 0)
            {
                return new RateLimitWindow(periodMs);
            }
            window._total += window._counts[i];
        }
        window._current = bucket;
        return window;
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
