using System.Diagnostics;

namespace Switchboard.Bench;

/// <summary>One monotonic clock in nanoseconds, read by the senders and the receiver of the same process.</summary>
internal static class BenchClock
{
    private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;

    public static long NowNs => (long)(Stopwatch.GetTimestamp() * NanosPerTick);
}
