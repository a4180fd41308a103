using System.Globalization;
using Switchboard.Cli;

namespace Switchboard.Bench;

/// <summary>Where the run stands: activities acknowledged, events received, memory.</summary>
internal sealed record BenchSnapshot(double Seconds, long Ingested, long Activities, long Delivered, long Expected, double RssMb);

/// <summary>How the bench shows its progress: activities ingested, events delivered, each per second, and memory.</summary>
internal static class BenchProgress
{
    public static Task ShowAsync(TextWriter error, bool interactive, Func<BenchSnapshot> read, CancellationToken stop) =>
        ProgressDisplay<BenchSnapshot>.ShowAsync(error, interactive, read, Bars, Line, stop);

    private static ProgressBar[] Bars(BenchSnapshot now, BenchSnapshot previous)
    {
        var seconds = Math.Max(now.Seconds - previous.Seconds, 1e-3);
        return
        [
            new(now.Ingested, now.Activities, string.Create(CultureInfo.InvariantCulture, $"ingested  {now.Ingested,9:N0} {(now.Ingested - previous.Ingested) / seconds,8:N0}/s")),
            new(now.Delivered, now.Expected, string.Create(CultureInfo.InvariantCulture, $"delivered {now.Delivered,9:N0} {(now.Delivered - previous.Delivered) / seconds,8:N0}/s  rss {now.RssMb:N0} MB")),
        ];
    }

    private static string Line(BenchSnapshot now, BenchSnapshot previous)
    {
        var seconds = Math.Max(now.Seconds - previous.Seconds, 1e-3);
        return string.Create(CultureInfo.InvariantCulture,
            $"bench: {now.Seconds,5:0}s ingested {now.Ingested:N0}/{now.Activities:N0} ({(now.Ingested - previous.Ingested) / seconds:N0}/s), delivered {now.Delivered:N0}/{now.Expected:N0} ({(now.Delivered - previous.Delivered) / seconds:N0}/s), rss {now.RssMb:N0} MB");
    }
}
