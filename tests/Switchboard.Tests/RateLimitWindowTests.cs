using Switchboard.Delivery;

namespace Switchboard.Tests;

/// <summary>
/// The rate limit's window (delivery.md, Rate limit): never more than <c>number</c> sends in any
/// <c>period</c>, at most one bucket (1 % of the period) stricter than that, in constant memory.
/// Time is UNIX ms passed in, so nothing sleeps.
/// </summary>
public class RateLimitWindowTests
{
    private const long Start = 1_700_000_000_000;

    [Fact]
    public void Number_sends_pass_then_the_rest_wait_for_the_period_and_at_most_one_bucket_more()
    {
        var window = new RateLimitWindow(60_000);

        Assert.True(window.TryTake(3, Start));
        Assert.True(window.TryTake(3, Start + 10));
        Assert.True(window.TryTake(3, Start + 20));
        Assert.False(window.TryTake(3, Start + 30));
        Assert.False(window.TryTake(3, Start + 59_999));
        Assert.False(window.TryTake(3, Start + 60_000));
        // One bucket is 600 ms: by then the first three have left the window for sure.
        Assert.True(window.TryTake(3, Start + 60_020 + 600));
    }

    [Fact]
    public void A_refused_send_is_not_counted_and_a_larger_number_applies_to_the_sends_so_far()
    {
        var window = new RateLimitWindow(1_000);

        Assert.True(window.TryTake(1, Start));
        for (var i = 0; i < 1_000; i++)
        {
            Assert.False(window.TryTake(1, Start + 1 + (i % 900)));
        }
        Assert.True(window.TryTake(2, Start + 950));
        Assert.False(window.TryTake(2, Start + 960));
        // Refusals did not count: a quiet period later the window is empty again.
        Assert.True(window.TryTake(2, Start + 2_000));
        Assert.True(window.TryTake(2, Start + 2_001));
    }

    [Theory]
    [InlineData(1, 1, 11)]
    [InlineData(3, 60, 12)]
    [InlineData(10, 1, 13)]
    [InlineData(100, 3600, 14)]
    [InlineData(7, 2_592_000, 15)]
    public void Never_more_than_number_in_any_window_of_period_over_a_random_schedule(int number, int periodSeconds, int seed)
    {
        var random = new Random(seed);
        var periodMs = periodSeconds * 1000L;
        var window = new RateLimitWindow(periodMs);
        var taken = new List<long>();
        var refused = new List<long>();
        var now = Start;
        while (taken.Count + refused.Count < 20_000)
        {
            // Spells of sends at a random pace (all in one millisecond, or from eight times the
            // limit's pace to half of it), each after a pause of up to two periods.
            now += random.NextInt64(periodMs * 2);
            var meanGap = random.Next(5) == 0 ? 0 : periodMs / number * random.Next(1, 17) / 8;
            for (var spell = random.Next(1, 4 * number + 10); spell > 0; spell--)
            {
                now += random.NextInt64(2 * meanGap + 1);
                (window.TryTake(number, now) ? taken : refused).Add(now);
            }
        }

        // Every window [t, t + period], ends included, holds at most number sends.
        for (int first = 0, last = 0; first < taken.Count; first++)
        {
            while (last < taken.Count && taken[last] <= taken[first] + periodMs)
            {
                last++;
            }
            Assert.True(last - first <= number, $"{last - first} sends from {taken[first]} within {periodMs} ms; the limit is {number}");
        }
        // And it is no stricter than one bucket: a refusal had number sends within the period and one bucket before it.
        var slack = periodMs / RateLimitWindow.Buckets;
        foreach (var at in refused)
        {
            var recent = CountFrom(taken, at - periodMs - slack) - CountFrom(taken, at + 1);
            Assert.True(recent >= number, $"refused at {at} with only {recent} sends in the last {periodMs + slack} ms");
        }
        Assert.True(taken.Count > 10 * number && refused.Count > 1_000, $"the schedule must exercise the limit: {taken.Count} taken, {refused.Count} refused");
    }

    [Fact]
    public void A_lane_keeps_its_rate_limit_in_constant_memory_however_many_sends_it_counts()
    {
        var lane = new CallbackLane();
        lane.TryTakeSend(1_000_000, 2_592_000_000, Start);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var taken = 1;
        for (var i = 1; i < 1_000_000; i++)
        {
            taken += lane.TryTakeSend(1_000_000, 2_592_000_000, Start + i) ? 1 : 0;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1_000_000, taken);
        Assert.False(lane.TryTakeSend(1_000_000, 2_592_000_000, Start + 1_000_000));
        Assert.Equal(0, allocated);
    }

    /// <summary>How many of the sorted <paramref name="times"/> are at or after <paramref name="from"/>.</summary>
    private static int CountFrom(List<long> times, long from)
    {
        var (low, high) = (0, times.Count);
        while (low < high)
        {
            var middle = (low + high) / 2;
            (low, high) = times[middle] < from ? (middle + 1, high) : (low, middle);
        }
        return times.Count - low;
    }
}
