using System.Globalization;
using System.Text.Json;
using Switchboard.Api;
using Switchboard.Events;

namespace Switchboard.Simulate;

/// <summary>
/// The scenarios of one or two activities: messages (tests/fixtures/events/message.json),
/// recordings (recording.json), call logs (call-log.json) and API errors (api-error.json).
/// Everything random is drawn when the scenario is made, so a <c>--seed</c> replays it exactly.
/// </summary>
internal static class OtherScenarios
{
    private static readonly string[] InboundTexts =
    [
        "Hi, are you open on Sunday?", "Running 10 minutes late, sorry!", "Can someone call me back about invoice 4471?",
        "Yes, Thursday at 3pm works for me.", "Got the package, thanks!", "Is the quote still valid?", "STOP",
        "Please confirm my appointment for tomorrow.", "What's the address again?",
    ];

    private static readonly string[] OutboundTexts =
    [
        "Your appointment is confirmed for Thursday at 3pm. Reply C to cancel.", "Thanks for calling! Here is the link we talked about.",
        "We're open 9–6 on weekdays and 10–4 on Saturday.", "Your order has shipped.", "Sorry we missed your call, we'll ring you back shortly.",
    ];

    private static readonly string[] MmsCaptions = ["Here's the photo of the damage", "", "Receipt attached", "This one?", ""];

    /// <summary>An SMS from an outside number to the main number or a colleague's direct number.</summary>
    public static void SmsIn(ScenarioSteps steps, Cast cast) =>
        steps.Then(Constant(Inbound(cast, MessageType.Sms, cast.Pick(InboundTexts), [])));

    /// <summary>An MMS with a photo, from an outside number.</summary>
    public static void MmsIn(ScenarioSteps steps, Cast cast)
    {
        var name = $"IMG_{cast.Between(1000, 9999)}";
        var folder = $"https://files.example.net/messages/{cast.Uuid()}";
        var media = new Media { Url = $"{folder}/{name}.jpg", Type = "image/jpeg", Size = cast.Between(150_000, 3_500_000), Filename = $"{name}.jpg", Thumbnail = $"{folder}/{name}_thumbnail.jpg" };
        steps.Then(Constant(Inbound(cast, MessageType.Mms, cast.Pick(MmsCaptions), [media])));
    }

    /// <summary>A colleague texts an outside number: sent, and a few seconds later delivered (the carrier's receipt).</summary>
    public static void SmsOut(ScenarioSteps steps, Cast cast)
    {
        var staff = cast.Colleague();
        var sent = new MessageData
        {
            Uuid = cast.Uuid(),
            Direction = Direction.Outbound,
            State = "sent",
            Inbox = new Inbox { Id = cast.Between(10_000_000, 99_999_999), ExtensionId = staff.ExtensionId, Did = staff.DirectNumber },
            From = Participant.Did(staff.DirectNumber),
            To = [Participant.Did(cast.OutsideNumber())],
            Type = MessageType.Sms,
            Message = cast.Pick(OutboundTexts),
            Media = [],
        };
        var delivered = sent with { State = "delivered" };
        steps.Then(Constant(new SimulatedActivity(sent, () => SimulatedActivity.Say("sms sent", $"{staff} → {sent.To[0].Id}"))))
            .After(800, 6_000).Then(Constant(new SimulatedActivity(delivered, () => SimulatedActivity.Say("sms delivered", $"{staff} → {sent.To[0].Id}"))));
    }

    /// <summary>A call recording is ready.</summary>
    public static void CallRecording(ScenarioSteps steps, Cast cast) =>
        steps.Then(Constant(Recording(cast, RecordingType.Call, cast.Between(10, 600), cast.Colleague())));

    /// <summary>A call log record is ready, with the duration the google-analytics application reads (events.md, call-log).</summary>
    public static void CallLog(ScenarioSteps steps, Cast cast)
    {
        var staff = cast.Colleague();
        var outside = cast.OutsideNumber();
        var inbound = cast.Random.Next(2) == 0;
        var seconds = cast.Between(5, 900);
        var data = new CallLogData
        {
            Uuid = cast.Uuid(),
            Extra = new()
            {
                ["duration"] = JsonSerializer.SerializeToElement((long)seconds, ApiJsonContext.Default.Int64),
                ["direction"] = JsonSerializer.SerializeToElement(inbound ? "inbound" : "outbound", ApiJsonContext.Default.String),
                ["from"] = JsonSerializer.SerializeToElement(inbound ? outside : staff.DirectNumber, ApiJsonContext.Default.String),
                ["to"] = JsonSerializer.SerializeToElement(inbound ? staff.DirectNumber : outside, ApiJsonContext.Default.String),
                ["caller_name"] = JsonSerializer.SerializeToElement(inbound ? cast.OutsideName() : staff.Name, ApiJsonContext.Default.String),
            },
        };
        steps.Then(Constant(new SimulatedActivity(data, () => SimulatedActivity.Say("call log", $"{(inbound ? outside : staff.ToString())} → {(inbound ? staff.ToString() : outside)}, {seconds} s"), [staff.ExtensionId])));
    }

    /// <summary>A request to the platform's API failed; a 401 makes it untrusted (tags.md).</summary>
    public static void ApiError(ScenarioSteps steps, Cast cast)
    {
        var voipId = cast.VoipId;
        (int Status, string Error, string Method, string Url, int BodySize) failure = cast.Random.Next(6) switch
        {
            0 => (404, "Not found", "GET", $"/v4/accounts/{voipId}/wrong-endpoint", 0),
            1 => (403, "Forbidden", "POST", $"/v4/accounts/{voipId}/fax", cast.Between(200, 4000)),
            2 => (401, "Unauthorized", "GET", $"/v4/accounts/{voipId}/call-logs?limit=100", 0),
            3 => (422, "Unprocessable entity", "POST", $"/v4/accounts/{voipId}/messages", cast.Between(80, 600)),
            4 => (429, "Too many requests", "GET", $"/v4/accounts/{voipId}/extensions?limit=500", 0),
            _ => (404, "Not found", "DELETE", $"/v4/accounts/{voipId}/extensions/{cast.Colleague().ExtensionId}/contacts/{cast.Between(1000, 99999)}", 0),
        };
        var at = DateTimeOffset.FromUnixTimeMilliseconds(steps.StartUnixNs / 1_000_000).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var data = new ApiErrorData
        {
            Error = failure.Error,
            Request = new ApiErrorRequest { Method = failure.Method, Url = failure.Url, BodySize = failure.BodySize },
            Response = new ApiErrorResponse
            {
                Status = failure.Status,
                Payload = $"{{\n  \"@error\": {{\n    \"@message\": \"{failure.Error}\",\n    \"@httpStatusCode\": {failure.Status},\n    \"@time\": \"{at}\"\n  }}\n}}",
            },
        };
        // data has no uuid: the occurrence gets its own (ingest.md, data_object_uuid).
        steps.Then(Constant(new SimulatedActivity(data, () => SimulatedActivity.Say($"api error {failure.Status}", $"{failure.Method} {failure.Url}"), DataObjectUuid: cast.Uuid())));
    }

    /// <summary>A recording of <paramref name="seconds"/> for <paramref name="staff"/>, sized as a 240 kbit/s file.</summary>
    public static SimulatedActivity Recording(Cast cast, RecordingType type, int seconds, Staff staff)
    {
        var data = new RecordingData { Uuid = cast.Uuid(), Type = type, Size = (seconds * 30_000L) + cast.Between(0, 29_999), Duration = seconds };
        return new SimulatedActivity(data, () => SimulatedActivity.Say($"{type.ToString().ToLowerInvariant()} recording", $"{staff}, {seconds} s"), [staff.ExtensionId]);
    }

    private static SimulatedActivity Inbound(Cast cast, MessageType type, string text, Media[] media)
    {
        // The main number's inbox belongs to no extension; a direct number's to its colleague.
        var staff = cast.Random.Next(2) == 0 ? null : cast.Colleague();
        var number = staff?.DirectNumber ?? Cast.MainNumber;
        var from = cast.OutsideNumber();
        var data = new MessageData
        {
            Uuid = cast.Uuid(),
            Direction = Direction.Inbound,
            State = "received",
            Inbox = new Inbox { Id = cast.Between(10_000_000, 99_999_999), ExtensionId = staff?.ExtensionId, Did = number },
            From = Participant.Did(from),
            To = [Participant.Did(number)],
            Type = type,
            Message = text,
            Media = media,
        };
        var what = type == MessageType.Sms ? "sms" : $"mms ({media.Length} photo)";
        return new SimulatedActivity(data, () => SimulatedActivity.Say($"{what} received", $"{from} → {staff?.ToString() ?? Cast.Who(data.To[0])}"));
    }

    private static Func<SimulatedActivity> Constant(SimulatedActivity activity) => () => activity;
}
