using System.Globalization;
using Switchboard.Cli;

namespace Switchboard.Simulate;

/// <summary>How a run of many scenarios shows its progress: scenarios done, activities the hub took and how fast.</summary>
internal static class SimulateProgress
{
    public static Task ShowAsync(TextWriter error, bool interactive, Func<SimulateSnapshot> read, CancellationToken stop) =>
        ProgressDisplay<SimulateSnapshot>.ShowAsync(error, interactive, read, Bars, Line, stop);

    private static ProgressBar[] Bars(SimulateSnapshot now, SimulateSnapshot previous) =>
    [
        new(now.Finished, now.Scenarios, string.Create(CultureInfo.InvariantCulture,
            $"scenarios {now.Finished,7:N0}  activities {Taken(now),9:N0} {PerSecond(now, previous),7:N0}/s")),
    ];

    private static string Line(SimulateSnapshot now, SimulateSnapshot previous) => string.Create(CultureInfo.InvariantCulture,
        $"simulate: {now.Seconds,5:0}s scenarios {now.Finished:N0}/{now.Scenarios:N0} ({now.Started - now.Finished:N0} in progress)  activities {Taken(now):N0} taken {PerSecond(now, previous),7:N0}/s");

    private static long Taken(SimulateSnapshot snapshot) => snapshot.Accepted + snapshot.Duplicates;

    private static double PerSecond(SimulateSnapshot now, SimulateSnapshot previous) =>
        (Taken(now) - Taken(previous)) / Math.Max(now.Seconds - previous.Seconds, 1e-3);
}
