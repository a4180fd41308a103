using System.Globalization;
using Spectre.Console;

namespace Switchboard.Simulate;

/// <summary>
/// Shows a run of many scenarios on stderr while it lasts: a live bar when stderr is a terminal,
/// a plain line every few seconds otherwise (logs, CI, tests). stdout is left to the summary.
/// </summary>
internal static class SimulateProgress
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    public static Task ShowAsync(TextWriter error, bool interactive, Func<SimulateSnapshot> read, CancellationToken stop) =>
        interactive ? LiveAsync(error, read, stop) : PlainAsync(error, read, stop);

    private static async Task LiveAsync(TextWriter error, Func<SimulateSnapshot> read, CancellationToken stop)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        var first = read();
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var scenarios = context.AddTask("scenarios", maxValue: first.Scenarios);
                var previous = first;
                while (true)
                {
                    var now = read();
                    scenarios.Value = now.Finished;
                    scenarios.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"scenarios {now.Finished,7:N0}  activities {Taken(now),9:N0} {PerSecond(now, previous),7:N0}/s"));
                    previous = now;
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    await Task.WhenAny(Task.Delay(TimeSpan.FromMilliseconds(500), stop));
                }
            });
    }

    private static async Task PlainAsync(TextWriter error, Func<SimulateSnapshot> read, CancellationToken stop)
    {
        var previous = read();
        while (!stop.IsCancellationRequested)
        {
            await Task.WhenAny(Task.Delay(PlainEvery, stop));
            if (stop.IsCancellationRequested)
            {
                return; // the summary follows
            }
            var now = read();
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"simulate: {now.Seconds,5:0}s ") + Line(now, previous));
            previous = now;
        }
    }

    /// <summary>Scenarios done and in progress, activities the hub took and how fast.</summary>
    private static string Line(SimulateSnapshot now, SimulateSnapshot previous) => string.Create(CultureInfo.InvariantCulture,
        $"scenarios {now.Finished:N0}/{now.Scenarios:N0} ({now.Started - now.Finished:N0} in progress)  activities {Taken(now):N0} taken {PerSecond(now, previous),7:N0}/s");

    private static long Taken(SimulateSnapshot snapshot) => snapshot.Accepted + snapshot.Duplicates;

    private static double PerSecond(SimulateSnapshot now, SimulateSnapshot previous) =>
        (Taken(now) - Taken(previous)) / Math.Max(now.Seconds - previous.Seconds, 1e-3);
}
