using System.Globalization;
using Spectre.Console;

namespace Switchboard.Bench;

/// <summary>Where the run stands: activities acknowledged, events received, memory.</summary>
internal sealed record BenchSnapshot(double Seconds, long Ingested, long Activities, long Delivered, long Expected, double RssMb);

/// <summary>
/// Shows the run's progress on stderr while it lasts: live bars when stderr is a terminal, a plain
/// line every few seconds otherwise (logs, CI, tests). stdout is left to the summary.
/// </summary>
internal static class BenchProgress
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    public static Task ShowAsync(TextWriter error, bool interactive, Func<BenchSnapshot> read, CancellationToken stop) =>
        interactive ? LiveAsync(error, read, stop) : PlainAsync(error, read, stop);

    private static async Task LiveAsync(TextWriter error, Func<BenchSnapshot> read, CancellationToken stop)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        var first = read();
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var ingested = context.AddTask("ingested", maxValue: first.Activities);
                var delivered = context.AddTask("delivered", maxValue: first.Expected);
                var previous = first;
                while (true)
                {
                    var now = read();
                    var seconds = Math.Max(now.Seconds - previous.Seconds, 1e-3);
                    ingested.Value = now.Ingested;
                    ingested.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"ingested  {now.Ingested,9:N0} {(now.Ingested - previous.Ingested) / seconds,8:N0}/s"));
                    delivered.Value = now.Delivered;
                    delivered.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"delivered {now.Delivered,9:N0} {(now.Delivered - previous.Delivered) / seconds,8:N0}/s  rss {now.RssMb:N0} MB"));
                    previous = now;
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    await Task.WhenAny(Task.Delay(TimeSpan.FromMilliseconds(500), stop));
                }
            });
    }

    private static async Task PlainAsync(TextWriter error, Func<BenchSnapshot> read, CancellationToken stop)
    {
        var previous = read();
        while (!stop.IsCancellationRequested)
        {
            await Task.WhenAny(Task.Delay(PlainEvery, stop));
            var now = read();
            var seconds = Math.Max(now.Seconds - previous.Seconds, 1e-3);
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"bench: {now.Seconds,5:0}s ingested {now.Ingested:N0}/{now.Activities:N0} ({(now.Ingested - previous.Ingested) / seconds:N0}/s), delivered {now.Delivered:N0}/{now.Expected:N0} ({(now.Delivered - previous.Delivered) / seconds:N0}/s), rss {now.RssMb:N0} MB"));
            previous = now;
        }
    }
}
