namespace Switchboard.Events.Tests;

public class EventSummaryTests
{
    private const string Caller = "+15551234567";
    private const string Did = "+15557654321";

    [Theory]
    [MemberData(nameof(Fixtures.Names), MemberType = typeof(Fixtures))]
    public void Every_fixture_has_a_summary_on_one_line(string name)
    {
        var summary = EventSummary.Describe(Fixtures.Read(name));

        Assert.False(string.IsNullOrWhiteSpace(summary), $"{name}: empty summary");
        Assert.DoesNotContain(summary, char.IsControl);
        Assert.Equal(summary.Trim(), summary);
    }

    [Theory]
    [InlineData("inbound-call-to-device/1-1st-leg-new.json", "call 1st leg from +15550000001 → DID +15550000002 new")]
    [InlineData("inbound-call-to-device/2-1st-leg-connecting.json", "call 1st leg from +15550000001 → DID +15550000002 ringing")]
    [InlineData("inbound-call-to-device/3-2nd-leg-new.json", "call 2nd leg → ext 500 new")]
    [InlineData("inbound-call-to-device/4-2nd-leg-connecting.json", "call 2nd leg → ext 500 ringing")]
    [InlineData("inbound-call-to-device/5-2nd-leg-connected.json", "call 2nd leg → ext 500 connected")]
    [InlineData("inbound-call-to-device/6-1st-leg-connected.json", "call 1st leg from +15550000001 → DID +15550000002 connected")]
    [InlineData("inbound-call-to-device/7-2nd-leg-completed.json", "call 2nd leg → ext 500 ended (answered)")]
    [InlineData("inbound-call-to-device/8-1st-leg-completed.json", "call 1st leg from +15550000001 → DID +15550000002 ended (answered)")]
    [InlineData("message.json", "MMS in +15550000001 → +15550000002: \"Message test\" (1 attachment)")]
    [InlineData("recording.json", "call recording ready (40 s, 1.2 MB)")]
    [InlineData("call-log.json", "call log ready for call 11111111-1111-1111-1111-111111111111")]
    [InlineData("api-error.json", "API error 404 GET /v4/accounts/1000002/wrong-endpoint: Not found")]
    public void Fixture_summaries_read_as_a_telephony_person_would_say_them(string name, string expected) =>
        Assert.Equal(expected, EventSummary.Describe(Fixtures.Read(name)));

    /// <summary>events.md, "Call legs and ordering": device A (ext 500) rings 20 s unanswered, device B (ext 501) answers.</summary>
    [Fact]
    public void The_eleven_steps_of_a_ring_group_call()
    {
        var first = Leg("leg-1", Participant.Did(Caller), Participant.Did(Did), isFirst: true);
        var deviceA = Leg("leg-2", Participant.Did(Caller), Device(555555, 500), isFirst: false);
        var deviceB = Leg("leg-3", Participant.Did(Caller), Device(555556, 501), isFirst: false);
        (Leg Leg, LegState State, CompletionStatus? Status)[] steps =
        [
            (first, LegState.New, null), (first, LegState.Connecting, null),
            (deviceA, LegState.New, null), (deviceA, LegState.Connecting, null), (deviceA, LegState.Completed, CompletionStatus.Cancelled),
            (deviceB, LegState.New, null), (deviceB, LegState.Connecting, null), (deviceB, LegState.Connected, null),
            (first, LegState.Connected, null), (deviceB, LegState.Completed, CompletionStatus.Success), (first, LegState.Completed, CompletionStatus.Success),
        ];

        var summaries = steps.Select(s => EventSummary.Describe(CallEvent(Direction.Inbound, s.Leg with { State = s.State, CompletionStatus = s.Status }, first)));

        Assert.Equal(
        [
            "call 1st leg from +15551234567 → DID +15557654321 new",
            "call 1st leg from +15551234567 → DID +15557654321 ringing",
            "call 2nd leg → ext 500 new",
            "call 2nd leg → ext 500 ringing",
            "call 2nd leg → ext 500 ended (no answer)",
            "call 2nd leg → ext 501 new",
            "call 2nd leg → ext 501 ringing",
            "call 2nd leg → ext 501 connected",
            "call 1st leg from +15551234567 → DID +15557654321 connected",
            "call 2nd leg → ext 501 ended (answered)",
            "call 1st leg from +15551234567 → DID +15557654321 ended (answered)",
        ], summaries);
    }

    [Theory]
    [InlineData(CompletionStatus.Busy, "ended (busy)")]
    [InlineData(CompletionStatus.Failed, "ended (failed)")]
    [InlineData(null, "ended")]
    public void An_outbound_call_shows_the_extension_calling_out_and_how_it_ended(CompletionStatus? status, string ending)
    {
        var leg = Leg("leg-1", Device(555555, 500), Participant.Did(Caller), isFirst: true) with { State = LegState.Completed, CompletionStatus = status };

        Assert.Equal($"call 1st leg from ext 500 → {Caller} {ending}", EventSummary.Describe(CallEvent(Direction.Outbound, leg, null)));
    }

    [Fact]
    public void The_caller_id_of_an_outbound_call_is_the_accounts_did()
    {
        var leg = Leg("leg-1", Participant.Did(Did), Participant.Did(Caller), isFirst: true) with { State = LegState.Connecting };

        Assert.Equal($"call 1st leg from DID {Did} → {Caller} ringing", EventSummary.Describe(CallEvent(Direction.Outbound, leg, null)));
    }

    [Fact]
    public void A_long_message_is_cut_to_forty_characters_on_one_line()
    {
        var data = Sms(Direction.Inbound, "received", "Hello,\nare you open on Saturday? I would like to come by around ten.");

        Assert.Equal($"SMS in {Caller} → {Did}: \"Hello, are you open on Saturday? I would…\"", EventSummary.Describe(data));
    }

    [Fact]
    public void An_outbound_message_says_how_far_it_got()
    {
        var data = Sms(Direction.Outbound, "delivered", "See you at ten") with { From = Participant.Did(Did), To = [Participant.Did(Caller)] };

        Assert.Equal($"SMS out {Did} → {Caller} delivered: \"See you at ten\"", EventSummary.Describe(data));
    }

    [Fact]
    public void A_message_to_many_names_the_first_three()
    {
        var data = Sms(Direction.Outbound, "sent", "Hi") with
        {
            To = [.. Enumerable.Range(1, 5).Select(i => Participant.Did($"+1555000000{i}"))],
        };

        Assert.Equal($"SMS out {Caller} → +15550000001, +15550000002, +15550000003 +2 more sent: \"Hi\"", EventSummary.Describe(data));
    }

    [Fact]
    public void A_voicemail_names_its_caller_when_the_producer_adds_one()
    {
        var data = new RecordingData
        {
            Uuid = "vm-1",
            Type = RecordingType.Voicemail,
            Size = 336_000,
            Duration = 95,
            Extra = new() { ["from"] = System.Text.Json.JsonDocument.Parse($"\"{Caller}\"").RootElement.Clone() },
        };

        Assert.Equal($"voicemail from {Caller} ready (1 min 35 s, 336 KB)", EventSummary.Describe(data));
        Assert.Equal("voicemail ready (1 min 35 s, 336 KB)", EventSummary.Describe(data with { Extra = null }));
    }

    [Fact]
    public void An_api_error_names_status_method_and_path()
    {
        var data = new ApiErrorData
        {
            Error = "config.url: must be an absolute http or https URL.",
            Request = new ApiErrorRequest { Method = "POST", Url = "/v4/accounts/1000002/integrations/events/callbacks", BodySize = 40 },
            Response = new ApiErrorResponse { Status = 422, Payload = "{}" },
        };

        Assert.Equal("API error 422 POST /v4/accounts/1000002/integrations/events/callbacks: config.url: must be an absolute http or https URL.",
            EventSummary.Describe(data));
    }

    [Fact]
    public void A_deactivated_callback_says_which_and_why()
    {
        var data = new ListenerCallbackData { ListenerId = 12, CallbackId = 34, Reason = "failing for 3 days\n(last: connection refused)" };

        Assert.Equal("callback 34 of listener 12 deactivated: failing for 3 days (last: connection refused)", EventSummary.Describe(data));
    }

    private static Participant Device(long id, long extension) => new()
    {
        Type = ParticipantType.Device,
        Id = ParticipantId.Of(id),
        Line = 1,
        Domain = "sip.example.com",
        ExtensionId = 7_000_000 + extension,
        Extension = extension,
    };

    private static Leg Leg(string uuid, Participant from, Participant to, bool isFirst) => new() { Uuid = uuid, From = from, To = to, IsFirst = isFirst };

    private static Event CallEvent(Direction direction, Leg eventLeg, Leg? firstLeg) => new()
    {
        Uuid = Guid.NewGuid().ToString(),
        ListenerId = 1,
        Context = EventContext.Account(1000002),
        TimestampNs = 1_593_096_562_611_014_000,
        Tags = [],
        DataObjectUuid = "leg-1",
        Data = new CallData
        {
            Uuid = "leg-1",
            Direction = direction,
            EventLeg = eventLeg,
            FirstLeg = eventLeg.IsFirst ? null : firstLeg! with { State = null, CompletionStatus = null },
        },
    };

    private static MessageData Sms(Direction direction, string state, string text) => new()
    {
        Uuid = "msg-1",
        Direction = direction,
        State = state,
        Inbox = new Inbox { Id = 1, Did = Did },
        From = Participant.Did(Caller),
        To = [Participant.Did(Did)],
        Type = MessageType.Sms,
        Message = text,
        Media = [],
    };
}
