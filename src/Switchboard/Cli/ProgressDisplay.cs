using Spectre.Console;

namespace Switchboard.Cli;

/// <summary>One bar of a live progress display: where it stands and the words beside it.</summary>
internal readonly record struct ProgressBar(double Value, double Max, string Description);

/// <summary>
/// Progress of a long command on stderr while it lasts: live bars when stderr is a terminal, a plain
/// line every few seconds otherwise (logs, CI, tests). stdout is left to the command's summary.
/// Each display reads a snapshot of type <typeparamref name="T"/> and shows it against the one before.
/// </summary>
internal static class ProgressDisplay<T>
{
    private static readonly TimeSpan LiveEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    public static Task ShowAsync(TextWriter error, bool interactive, Func<T> read, Func<T, T, ProgressBar[]> bars, Func<T, T, string> line, CancellationToken stop) =>
        interactive ? LiveAsync(error, read, bars, stop) : PlainAsync(error, read, line, stop);

    private static async Task LiveAsync(TextWriter error, Func<T> read, Func<T, T, ProgressBar[]> bars, CancellationToken stop)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        var previous = read();
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = bars(previous, previous).Select(bar => context.AddTask(Markup.Escape(bar.Description), maxValue: bar.Max)).ToArray();
                while (true)
                {
                    var now = read();
                    foreach (var (task, bar) in tasks.Zip(bars(now, previous)))
                    {
                        task.Value = bar.Value;
                        task.Description = Markup.Escape(bar.Description);
                    }
                    previous = now;
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    await Task.WhenAny(Task.Delay(LiveEvery, stop));
                }
            });
    }

    private static async Task PlainAsync(TextWriter error, Func<T> read, Func<T, T, string> line, CancellationToken stop)
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
            await error.WriteLineAsync(line(now, previous));
            previous = now;
        }
    }
}
