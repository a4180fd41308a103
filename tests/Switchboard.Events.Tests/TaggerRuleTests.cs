namespace Switchboard.Events.Tests;

/// <summary>Each derivation rule of tags.md, one at a time.</summary>
public class TaggerRuleTests
{
    private static readonly Participant Did = Participant.Did("+15550000001");
    private static readonly Participant Device = new() { Type = ParticipantType.Device, Id = ParticipantId.Of(5), Line = 1, Domain = "sip.example", ExtensionId = 7, Extension = 500 };
    private static readonly Participant Extension = new() { Type = ParticipantType.Extension, Id = ParticipantId.Of(7), ExtensionId = 7, Extension = 500 };

    private static CallData Call(LegState? state, bool first, Direction direction, Participant from, Participant to) => new()
    {
        Uuid = "c",
        Direction = direction,
        EventLeg = new Leg { Uuid = "l", From = from, To = to, IsFirst = first, State = state },
    };

    [Theory]
    [InlineData(LegState.New, "new-call")]
    [InlineData(LegState.Connecting, "connecting-call")]
    [InlineData(LegState.Connected, "connected-call")]
    [InlineData(LegState.Completed, "completed-call")]
    public void Call_state_gives_its_tag_second(LegState state, string tag) =>
        Assert.Equal(["call", tag, "first-leg", "inbound", "from-did", "to-did"], EventTagger.Tag(Call(state, true, Direction.Inbound, Did, Did)));

    [Fact]
    public void Call_leg_position_direction_and_party_kinds_are_tagged_in_order()
    {
        Assert.Equal(["call", "new-call", "not-first-leg", "outbound", "from-extension", "to-did"],
            EventTagger.Tag(Call(LegState.New, false, Direction.Outbound, Device, Did)));
        Assert.Equal(["call", "new-call", "not-first-leg", "outbound", "from-extension", "to-extension"],
            EventTagger.Tag(Call(LegState.New, false, Direction.Outbound, Extension, Device)));
        Assert.Equal(["call", "new-call", "first-leg", "inbound", "from-did", "to-extension"],
            EventTagger.Tag(Call(LegState.New, true, Direction.Inbound, Did, Extension)));
    }

    [Fact]
    public void Call_without_a_state_has_no_state_tag() =>
        Assert.Equal(["call", "first-leg", "inbound", "from-did", "to-did"], EventTagger.Tag(Call(null, true, Direction.Inbound, Did, Did)));

    private static MessageData Message(MessageType type, string state, Direction direction) => new()
    {
        Uuid = "m",
        Direction = direction,
        State = state,
        Inbox = new Inbox { Id = 1, Did = "+15550000002" },
        From = Did,
        To = [Participant.Did("+15550000002")],
        Type = type,
        Message = "hi",
        Media = [],
    };

    [Theory]
    [InlineData(MessageType.Sms, "received", Direction.Inbound, new[] { "message", "*ms-message", "sms-message", "received-message", "inbound" })]
    [InlineData(MessageType.Mms, "sent", Direction.Outbound, new[] { "message", "*ms-message", "mms-message", "sent-message", "outbound" })]
    [InlineData(MessageType.Sms, "delivered", Direction.Outbound, new[] { "message", "*ms-message", "sms-message", "delivered-message", "outbound" })]
    [InlineData(MessageType.Sms, "failed", Direction.Outbound, new[] { "message", "*ms-message", "sms-message", "outbound" })]
    [InlineData(MessageType.Mms, "queued", Direction.Inbound, new[] { "message", "*ms-message", "mms-message", "inbound" })]
    public void Message_tags_follow_type_state_and_direction(MessageType type, string state, Direction direction, string[] expected) =>
        Assert.Equal(expected, EventTagger.Tag(Message(type, state, direction)));

    [Fact]
    public void Call_log_recording_and_listener_callback_tags()
    {
        Assert.Equal(["call-log"], EventTagger.Tag(new CallLogData { Uuid = "x" }));
        Assert.Equal(["recording", "call-recording"], EventTagger.Tag(new RecordingData { Uuid = "r", Type = RecordingType.Call, Size = 1, Duration = 1 }));
        Assert.Equal(["recording", "voicemail-recording"], EventTagger.Tag(new RecordingData { Uuid = "r", Type = RecordingType.Voicemail, Size = 1, Duration = 1 }));
        Assert.Equal(["deactivated-listener-callback"], EventTagger.Tag(new ListenerCallbackData { ListenerId = 1, CallbackId = 2, Reason = "410 Gone" }));
    }

    [Theory]
    [InlineData(401, new[] { "api-error" })]
    [InlineData(403, new[] { "api-error", "api-error-trusted" })]
    [InlineData(404, new[] { "api-error", "api-error-trusted" })]
    [InlineData(500, new[] { "api-error", "api-error-trusted" })]
    public void Unauthorized_api_errors_are_untrusted(int status, string[] expected) =>
        Assert.Equal(expected, EventTagger.Tag(new ApiErrorData
        {
            Error = "e",
            Request = new ApiErrorRequest { Method = "GET", Url = "/", BodySize = 0 },
            Response = new ApiErrorResponse { Status = status, Payload = "" },
        }));

    [Fact]
    public void Every_derived_tag_is_in_the_tag_list()
    {
        foreach (var name in Fixtures.All())
        {
            Assert.All(EventTagger.Tag(Fixtures.Read(name)), tag => Assert.True(Tags.IsKnown(tag), tag));
        }
    }

    [Fact]
    public void Subscription_matches_when_the_event_has_all_its_tags()
    {
        var tags = TagSet.Of(EventTagger.Tag(Fixtures.Read("inbound-call-to-device/3-2nd-leg-new.json")));

        Assert.True(tags.ContainsAll(TagSet.Of(["call", "inbound"])));
        Assert.True(tags.ContainsAll(TagSet.Of(["inbound"])));
        Assert.False(tags.ContainsAll(TagSet.Of(["call", "message"])));
        Assert.False(tags.ContainsAll(TagSet.Of(["call", "outbound"])));
        Assert.Equal(27, Tags.All.Count);
    }
}
