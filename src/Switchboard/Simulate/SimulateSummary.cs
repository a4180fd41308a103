using System.Globalization;

namespace Switchboard.Simulate;

/// <summary>The end of a run: what was played and what the hub made of it.</summary>
internal sealed record SimulateSummary(
    SimulatePlan Plan, IReadOnlyDictionary<string, int> Played, SimulateSnapshot End, long Rejected, int Retries)
{
    /// <summary>The hub's URL as the person wrote it, without the slash <see cref="Uri"/> adds.</summary>
    public static string Address(Uri hub) => hub.ToString().TrimEnd('/');

    public async Task WriteAsync(TextWriter output)
    {
        var seconds = Math.Max(End.Seconds, 1e-3);
        var invariant = CultureInfo.InvariantCulture;
        var played = Plan.Scenario is null
            ? " (" + string.Join(", ", Scenarios.All.Where(s => Played.ContainsKey(s.Name)).Select(s => string.Create(invariant, $"{Played[s.Name]:N0} {s.Name}"))) + ")"
            : "";
        var cut = End.Started > End.Finished ? string.Create(invariant, $", {End.Started - End.Finished:N0} more cut short") : "";
        var retries = Retries > 0 ? string.Create(invariant, $", {Retries:N0} batches sent again") : "";
        if (Plan.Count == 1)
        {
            // The log above already showed each activity.
            await output.WriteLineAsync(string.Create(invariant, $"{End.Sent} {(End.Sent == 1 ? "activity" : "activities")} sent, {End.Accepted} accepted, {End.Duplicates} duplicates, {Rejected} rejected{retries} in {seconds:0.0} s"));
            return;
        }
        await output.WriteLineAsync(string.Create(invariant, $"""
            simulate {Plan.Name} → {Address(Plan.Hub)}, account {Plan.VoipId}
              scenarios   {End.Finished:N0} of {End.Scenarios:N0}{cut}{played}
              activities  {End.Sent:N0} sent, {End.Accepted:N0} accepted, {End.Duplicates:N0} duplicates, {Rejected:N0} rejected{retries}
              elapsed     {seconds:0.0} s, {End.Sent / seconds:N0} activities/s, {End.Finished / seconds:N0} scenarios/s
            """));
    }
}
