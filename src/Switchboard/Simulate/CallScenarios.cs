using Switchboard.Events;

namespace Switchboard.Simulate;

/// <summary>
/// The call scenarios. Timings are those of a desk phone: a leg to a device is created about a
/// second after the call arrives, rings a few seconds, and talk lasts from seconds to a minute;
/// updates of two legs that happen together (a device answers, so the call is answered) are a
/// few milliseconds apart, as in the fixtures.
/// </summary>
internal static class CallScenarios
{
    /// <summary>tests/fixtures/events/inbound-call-to-device: an outside number calls the main number, a desk phone rings and answers.</summary>
    public static void InboundToDevice(ScenarioSteps steps, Cast cast)
    {
        var call = Inbound(cast, Cast.MainNumber);
        var staff = cast.Colleague();
        var device = call.AddLeg(cast.Uuid(), staff.Device);
        Arrive(steps, call);
        Ring(steps, call, device);
        steps.After(2_000, 9_000).Then(call.Step(device, LegState.Connected, note: "answered"))
            .After(1, 40).Then(call.Step(call.First, LegState.Connected));
        HangUp(steps, call, device, cast.Between(5_000, 45_000));
    }

    /// <summary>events.md, Call legs and ordering: the sales line rings one desk phone 20 s without answer, then another, which answers (11 activities).</summary>
    public static void RingGroup(ScenarioSteps steps, Cast cast)
    {
        var call = Inbound(cast, Cast.SalesNumber);
        var (first, second) = cast.TwoColleagues();
        var unanswered = call.AddLeg(cast.Uuid(), first.Device);
        Arrive(steps, call);
        Ring(steps, call, unanswered);
        steps.After(19_000, 21_000).Then(call.Step(unanswered, LegState.Completed, CompletionStatus.Cancelled, "no answer"));
        var answered = call.AddLeg(cast.Uuid(), second.Device);
        steps.After(5, 30).Then(call.Step(answered, LegState.New))
            .After(300, 800).Then(call.Step(answered, LegState.Connecting, note: "ringing"))
            .After(2_000, 8_000).Then(call.Step(answered, LegState.Connected, note: "answered"))
            .After(1, 40).Then(call.Step(call.First, LegState.Connected));
        HangUp(steps, call, answered, cast.Between(5_000, 45_000));
    }

    /// <summary>A colleague dials an outside number from their desk phone, who answers.</summary>
    public static void OutboundFromExtension(ScenarioSteps steps, Cast cast)
    {
        var call = new SimulatedCall(cast.Uuid(), Direction.Outbound, cast.Colleague().Device, Participant.Did(cast.OutsideNumber()));
        steps.Then(call.Step(call.First, LegState.New))
            .After(2, 15).Then(call.Step(call.First, LegState.Connecting, note: "ringing"))
            .After(3_000, 15_000).Then(call.Step(call.First, LegState.Connected, note: "answered"))
            .After(5_000, 60_000).Then(call.Step(call.First, LegState.Completed, CompletionStatus.Success, "hung up"));
    }

    /// <summary>An outside number calls a colleague's direct number while they are on another call.</summary>
    public static void Busy(ScenarioSteps steps, Cast cast)
    {
        var staff = cast.Colleague();
        var call = Inbound(cast, staff.DirectNumber);
        var device = call.AddLeg(cast.Uuid(), staff.Device);
        Arrive(steps, call);
        Ring(steps, call, device);
        steps.After(50, 300).Then(call.Step(device, LegState.Completed, CompletionStatus.Busy, "on another call"))
            .After(20, 50).Then(call.Step(call.First, LegState.Completed, CompletionStatus.Busy));
    }

    /// <summary>A call placed for an extension (click-to-call) to a number the carrier cannot reach.</summary>
    public static void Failed(ScenarioSteps steps, Cast cast)
    {
        var call = new SimulatedCall(cast.Uuid(), Direction.Outbound, cast.Colleague().AsExtension, Participant.Did(cast.OutsideNumber()));
        steps.Then(call.Step(call.First, LegState.New))
            .After(2, 15).Then(call.Step(call.First, LegState.Connecting))
            .After(1_000, 4_000).Then(call.Step(call.First, LegState.Completed, CompletionStatus.Failed, "carrier error"));
    }

    /// <summary>
    /// Nobody picks up: the desk phone rings 20 s, voicemail answers the call, the caller leaves a
    /// message, and its recording is ready a few seconds after they hang up.
    /// </summary>
    public static void Voicemail(ScenarioSteps steps, Cast cast)
    {
        var staff = cast.Colleague();
        var call = Inbound(cast, staff.DirectNumber);
        var device = call.AddLeg(cast.Uuid(), staff.Device);
        var seconds = cast.Between(8, 45);
        Arrive(steps, call);
        Ring(steps, call, device);
        steps.After(18_000, 22_000).Then(call.Step(device, LegState.Completed, CompletionStatus.Cancelled, "no answer"))
            .After(50, 300).Then(call.Step(call.First, LegState.Connected, note: "voicemail"))
            .After(seconds * 1000, (seconds * 1000) + 900).Then(call.Step(call.First, LegState.Completed, CompletionStatus.Success, "message left"));
        var recording = OtherScenarios.Recording(cast, RecordingType.Voicemail, seconds, staff);
        steps.After(2_000, 6_000).Then(() => recording);
    }

    private static SimulatedCall Inbound(Cast cast, string dialled) =>
        new(cast.Uuid(), Direction.Inbound, Participant.Did(cast.OutsideNumber()), Participant.Did(dialled));

    /// <summary>The first leg: new, and connecting a moment later.</summary>
    private static void Arrive(ScenarioSteps steps, SimulatedCall call) =>
        steps.Then(call.Step(call.First, LegState.New, note: "incoming"))
            .After(1, 3).Then(call.Step(call.First, LegState.Connecting));

    /// <summary>A leg to a device: created about a second after the call arrived, ringing soon after.</summary>
    private static void Ring(ScenarioSteps steps, SimulatedCall call, int leg) =>
        steps.After(800, 1_400).Then(call.Step(leg, LegState.New))
            .After(300, 800).Then(call.Step(leg, LegState.Connecting, note: "ringing"));

    /// <summary>Talk, then the device hangs up, and the first leg completes right after it.</summary>
    private static void HangUp(ScenarioSteps steps, SimulatedCall call, int leg, int talkMs) =>
        steps.After(talkMs, talkMs + 999).Then(call.Step(leg, LegState.Completed, CompletionStatus.Success, "hung up"))
            .After(20, 60).Then(call.Step(call.First, LegState.Completed, CompletionStatus.Success));
}
