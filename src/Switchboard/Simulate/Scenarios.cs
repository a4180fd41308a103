namespace Switchboard.Simulate;

/// <summary>A scenario of the catalogue: its name on the command line, one line of help, its share of <c>mix</c>, and how to write its steps.</summary>
internal sealed record Scenario(string Name, string Description, int MixWeight, Action<ScenarioSteps, Cast> Write);

/// <summary>
/// The scenarios <c>switchboard simulate</c> plays (ingest.md, Demo producer), and <c>mix</c>, a
/// blend for load: mostly calls and SMS, fewer recordings, voicemails, call logs and errors.
/// </summary>
internal static class Scenarios
{
    public const string Mix = "mix";

    public static readonly IReadOnlyList<Scenario> All =
    [
        new("inbound-to-device", "an outside number calls the main number; a desk phone rings and answers (8 activities)", 24, CallScenarios.InboundToDevice),
        new("ring-group", "the sales line rings one phone 20 s without answer, then another that answers (11)", 10, CallScenarios.RingGroup),
        new("outbound-from-extension", "a colleague calls an outside number from their desk phone (4)", 16, CallScenarios.OutboundFromExtension),
        new("busy", "a caller reaches a colleague who is on another call (6)", 4, CallScenarios.Busy),
        new("failed", "a call placed for an extension that the carrier cannot connect (3)", 2, CallScenarios.Failed),
        new("sms-in", "an outside number texts the office (1)", 16, OtherScenarios.SmsIn),
        new("sms-out", "a colleague texts a customer: sent, then delivered (2)", 12, OtherScenarios.SmsOut),
        new("mms-in", "a customer sends a photo (1)", 4, OtherScenarios.MmsIn),
        new("recording", "a call recording is ready (1)", 4, OtherScenarios.CallRecording),
        new("voicemail", "nobody answers, the caller leaves a voicemail, its recording follows (8)", 4, CallScenarios.Voicemail),
        new("call-log", "a call log record is ready (1)", 3, OtherScenarios.CallLog),
        new("api-error", "a request to the platform's API failed with a 401 (untrusted), 403, 404, 422 or 429, drawn by --seed (1)", 1, OtherScenarios.ApiError),
    ];

    private static readonly int TotalWeight = All.Sum(s => s.MixWeight);

    /// <summary>Every name <c>simulate</c> takes, <c>mix</c> last.</summary>
    public static IEnumerable<string> Names => All.Select(s => s.Name).Append(Mix);

    /// <summary>The help text's list: a line per scenario.</summary>
    public static string Help =>
        string.Join('\n', All.Select(s => $"  {s.Name,-24} {s.Description}")
            .Append($"  {Mix,-24} a weighted blend for load: mostly calls and SMS, fewer recordings, voicemails and errors"));

    /// <summary>The scenario named <paramref name="name"/>; for <c>mix</c>, null (the player draws one per start).</summary>
    public static bool TryFind(string name, out Scenario? scenario)
    {
        scenario = All.FirstOrDefault(s => s.Name == name);
        return scenario is not null || name == Mix;
    }

    /// <summary>A scenario drawn by its mix weight.</summary>
    public static Scenario Draw(Random random)
    {
        var ticket = random.Next(TotalWeight);
        foreach (var scenario in All)
        {
            if ((ticket -= scenario.MixWeight) < 0)
            {
                return scenario;
            }
        }
        return All[^1];
    }
}
