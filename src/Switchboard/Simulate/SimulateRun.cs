using System.Globalization;
using System.Runtime.InteropServices;
using Switchboard.Events;

namespace Switchboard.Simulate;

/// <summary>
/// One <c>switchboard simulate</c>: the player against the hub, with one line per activity for a
/// single scenario, or a progress display and a summary for many.
/// </summary>
internal static class SimulateRun
{
    public static async Task<int> RunAsync(SimulatePlan plan, TextWriter output, TextWriter error, bool interactive, TimeProvider time, CancellationToken cancellationToken)
    {
        // Ctrl+C ends the run with its summary; a second one ends the process. (The root command
        // is invoked without a process termination timeout, so the signal does not reach commands.)
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
        {
            signal.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        });
        using var http = IngestClient.Connect(plan.Hub, plan.Token);
        var single = plan.Count == 1;
        var player = new ScenarioPlayer(plan, new IngestClient(http), time)
        {
            Sent = single ? batch => LogAsync(output, batch, plan.Speed, time) : null,
        };
        if (single)
        {
            await output.WriteLineAsync($"simulate {plan.Name} → {SimulateSummary.Address(plan.Hub)}, account {plan.VoipId}"
                + (plan.Speed == 1 ? "" : $" (--speed {plan.Speed.ToString(CultureInfo.InvariantCulture)}: times are simulated, from the scenario's start)"));
        }
        using var done = new CancellationTokenSource();
        var progress = single ? Task.CompletedTask : SimulateProgress.ShowAsync(error, interactive, player.Snapshot, done.Token);
        string? failure = null;
        var code = 0;
        try
        {
            await player.RunAsync(stop.Token);
        }
        catch (IngestException e)
        {
            (failure, code) = (e.Message, 1);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            (failure, code) = ("stopped by Ctrl+C before the end.", 130);
        }
        await done.CancelAsync();
        await progress;
        var end = player.Snapshot();
        if (end.Sent > 0)
        {
            await new SimulateSummary(plan, player.Played, end, player.Rejected, player.Retries).WriteAsync(output);
        }
        if (failure is not null)
        {
            await error.WriteLineAsync($"switchboard simulate: {failure}");
        }
        return code;
    }

    /// <summary>
    /// One line per activity: its moment, its data type and what happened. The moment is the clock time
    /// only at --speed 1; otherwise the clock would show a call's half-minute for a run of half a second.
    /// </summary>
    private static async Task LogAsync(TextWriter output, IReadOnlyList<SentActivity> batch, double speed, TimeProvider time)
    {
        foreach (var sent in batch)
        {
            string at;
            if (speed == 1)
            {
                at = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(sent.TimestampNs / 1_000_000), time.LocalTimeZone).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
            }
            else
            {
                at = "+" + TimeSpan.FromTicks((sent.TimestampNs - sent.ScenarioStartNs) / 100).ToString(@"mm\:ss\.fff", CultureInfo.InvariantCulture) + "   ";
            }
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{at}  {sent.Activity.Data.DataType.Name(),-9}  {sent.Activity.Words}"));
        }
    }
}
