using System.Text.Json.Nodes;

namespace Switchboard.Events.Tests;

/// <summary>Invalid events are rejected with every broken rule named by its JSON path; nothing throws.</summary>
public class MalformedEventTests
{
    private const string CallFixture = "inbound-call-to-device/3-2nd-leg-new.json";

    private static JsonObject Load(string name) => JsonNode.Parse(Fixtures.Text(name))!.AsObject();

    private static IReadOnlyList<string> ErrorsOf(JsonNode node) => ErrorsOf(node.ToJsonString());

    private static IReadOnlyList<string> ErrorsOf(string json)
    {
        var result = EventJson.Read(json);
        Assert.False(result.IsValid);
        Assert.Null(result.Value);
        Assert.NotEmpty(result.Errors);
        return result.Errors.Select(e => e.ToString()).ToList();
    }

    public static TheoryData<string, string, string> Mutations() => new()
    {
        // fixture, mutation (path=json value, or path=- to remove), expected error
        { CallFixture, "data.event_leg.state=\"ringing\"", "data.event_leg.state: \"ringing\" is not one of new, connecting, connected, completed" },
        { CallFixture, "data.event_leg.state=null", "data.event_leg.state: must be a string, not null" },
        { CallFixture, "data.event_leg.state=-", "data.event_leg.state: is required" },
        { CallFixture, "data.direction=\"sideways\"", "data.direction: \"sideways\" is not one of inbound, outbound" },
        { CallFixture, "data.event_leg.to.id=\"555555\"", "data.event_leg.to.id: must be an integer, not a string" },
        { CallFixture, "data.event_leg.from.id=15550000001", "data.event_leg.from.id: must be a string, not a number" },
        { CallFixture, "data.event_leg.from.id=\"5550000001\"", "data.event_leg.from.id: \"5550000001\" is not an E.164 phone number (+ and up to 15 digits)" },
        { CallFixture, "data.event_leg.from.line=1", "data.event_leg.from.line: is not allowed for a did participant" },
        { CallFixture, "data.event_leg.to.type=\"phone\"", "data.event_leg.to.type: \"phone\" is not one of did, device, extension" },
        { CallFixture, "data.event_leg.to.domain=-", "data.event_leg.to.domain: is required" },
        { CallFixture, "data.event_leg.to.line=1.5", "data.event_leg.to.line: must be an integer, not 1.5" },
        { CallFixture, "data.event_leg.is_first=\"false\"", "data.event_leg.is_first: must be a boolean, not a string" },
        { CallFixture, "data.event_leg.completion_status=\"success\"", "data.event_leg.completion_status: must be null until state is completed" },
        { CallFixture, "data.event_leg.completion_status=\"hung-up\"", "data.event_leg.completion_status: \"hung-up\" is not one of success, cancelled, busy, failed" },
        { CallFixture, "data.first_leg.is_first=false", "data.first_leg.is_first: must be true for the first leg" },
        { CallFixture, "data.event_leg=null", "data.event_leg: must be an object, not null" },
        { CallFixture, "data.first_leg=[]", "data.first_leg: must be an object or null, not an array" },
        { "inbound-call-to-device/1-1st-leg-new.json", "data.first_leg={}", "data.first_leg: must be null when event_leg is the first leg" },
        { "inbound-call-to-device/7-2nd-leg-completed.json", "data.event_leg.completion_status=null", "data.event_leg.completion_status: is required once state is completed" },
        { CallFixture, "uuid=\"\"", "uuid: must not be empty" },
        { CallFixture, "uuid=42", "uuid: must be a string, not a number" },
        { CallFixture, "version=\"3.0.0\"", "version: \"3.0.0\" is not a supported version (2.0.0)" },
        { CallFixture, "listener_id=\"1000\"", "listener_id: must be an integer, not a string" },
        { CallFixture, "listener_id=-1", "listener_id: must not be negative" },
        { CallFixture, "context.type=\"user\"", "context.type: \"user\" is not one of account, extension" },
        { CallFixture, "context.id=5", "context.id: must equal context.voip_id (1000002) for an account context, not 5" },
        { CallFixture, "context=\"account\"", "context: must be an object, not a string" },
        { CallFixture, "timestamp=1593096564", "timestamp: must equal timestamp_ns / 1000000000 (1593096563), not 1593096564" },
        { CallFixture, "timestamp_ns=1.593096563751035e18", "timestamp_ns: must be an integer, not 1.593096563751035e18" },
        { CallFixture, "timestamp_ns=99999999999999999999", "timestamp_ns: must be an integer, not 99999999999999999999" },
        { CallFixture, "tags=\"call\"", "tags: must be an array, not a string" },
        { CallFixture, "tags=[\"call\",\"ringing-call\"]", "tags[1]: \"ringing-call\" is not a known tag" },
        { CallFixture, "tags=[\"call\",7]", "tags[1]: must be a string, not a number" },
        { CallFixture, "data_type=\"fax\"", "data_type: \"fax\" is not one of call, message, call-log, recording, api-error, listener-callback" },
        { CallFixture, "data_object_uuid=-", "data_object_uuid: is required" },
        { CallFixture, "data=[]", "data: must be an object, not an array" },
        { "message.json", "data.inbox.did=\"+1\"", "data.inbox.did: \"+1\" is not an E.164 phone number (+ and up to 15 digits)" },
        { "message.json", "data.inbox.extension_id=\"7\"", "data.inbox.extension_id: must be an integer or null, not a string" },
        { "message.json", "data.to=[]", "data.to: must name at least one recipient" },
        { "message.json", "data.to=[{\"type\":\"device\",\"id\":5}]", "data.to[0].type: \"device\" is not one of did" },
        { "message.json", "data.to=[\"+15550000002\"]", "data.to[0]: must be an object, not a string" },
        { "message.json", "data.type=\"fax\"", "data.type: \"fax\" is not one of sms, mms" },
        { "message.json", "data.type=\"sms\"", "data.media: must be empty for an sms" },
        { "message.json", "data.media=[{\"url\":\"u\",\"type\":\"image/png\",\"size\":-5,\"filename\":\"a\",\"thumbnail\":null}]", "data.media[0].size: must not be negative" },
        { "message.json", "data.message=null", "data.message: must be a string, not null" },
        { "message.json", "data.state=\"\"", "data.state: must not be empty" },
        { "recording.json", "data.type=\"fax\"", "data.type: \"fax\" is not one of call, voicemail" },
        { "recording.json", "data.duration=\"40\"", "data.duration: must be an integer, not a string" },
        { "call-log.json", "data.uuid=-", "data.uuid: is required" },
        { "api-error.json", "data.response.status=42", "data.response.status: must be between 100 and 599" },
        { "api-error.json", "data.request.body_size=null", "data.request.body_size: must be an integer, not null" },
        { "api-error.json", "data.response=-", "data.response: is required" },
        { CallFixture, "version=\"\"", "version: must not be empty" },
        { CallFixture, "version=null", "version: must be a string, not null" },
        { CallFixture, "timestamp=-1", "timestamp: must not be negative" },
        { CallFixture, "context.type=-", "context.type: is required" },
        { CallFixture, "context.voip_id=1.5", "context.voip_id: must be an integer, not 1.5" },
        { CallFixture, "tags=[\"call\",\"new-call\",null]", "tags[2]: must be a string, not null" },
        { CallFixture, "data_object_uuid=\"\"", "data_object_uuid: must not be empty" },
        { CallFixture, "data_type=\"message\"", "data.inbox: is required" },
        { CallFixture, "data.uuid=\"\"", "data.uuid: must not be empty" },
        { CallFixture, "data.direction=null", "data.direction: must be a string, not null" },
        { CallFixture, "data.direction=\"in\u002Bbound\"", "data.direction: \"in+bound\" is not one of inbound, outbound" },
        { CallFixture, "data.direction=\"" + new string('x', 100) + "\"", "data.direction: \"" + new string('x', 64) + "…\" is not one of inbound, outbound" },
        { CallFixture, "timestamp_ns=1" + new string('0', 80), "timestamp_ns: must be an integer, not 1" + new string('0', 63) + "…" },
        { CallFixture, "data.event_leg.uuid=true", "data.event_leg.uuid: must be a string, not a boolean" },
        { CallFixture, "data.event_leg.from=-", "data.event_leg.from: is required" },
        { CallFixture, "data.event_leg.to=5", "data.event_leg.to: must be an object, not a number" },
        { CallFixture, "data.event_leg.to.type=-", "data.event_leg.to.type: is required" },
        { CallFixture, "data.event_leg.to.type=\"extension\"", "data.event_leg.to.line: is not allowed for an extension participant" },
        { CallFixture, "data.event_leg.to.type=\"extension\"", "data.event_leg.to.domain: is not allowed for an extension participant" },
        { CallFixture, "data.event_leg.to.extension=-1", "data.event_leg.to.extension: must not be negative" },
        { CallFixture, "data.event_leg.to.extension_id=null", "data.event_leg.to.extension_id: must be an integer, not null" },
        { CallFixture, "data.first_leg=-", "data.first_leg: is required" },
        { CallFixture, "data.first_leg.state=\"dialing\"", "data.first_leg.state: \"dialing\" is not one of new, connecting, connected, completed" },
        { CallFixture, "data.first_leg.to.id=\"1555\"", "data.first_leg.to.id: \"1555\" is not an E.164 phone number (+ and up to 15 digits)" },
        { "message.json", "data.from=\"+15550000001\"", "data.from: must be an object, not a string" },
        { "message.json", "data.from.type=\"extension\"", "data.from.type: \"extension\" is not one of did" },
        { "message.json", "data.inbox=-", "data.inbox: is required" },
        { "message.json", "data.inbox.id=-3", "data.inbox.id: must not be negative" },
        { "message.json", "data.to={}", "data.to: must be an array, not an object" },
        { "message.json", "data.to=[{\"type\":\"did\",\"id\":\"+15550000002\"},{\"type\":\"did\",\"id\":\"555\"}]", "data.to[1].id: \"555\" is not an E.164 phone number (+ and up to 15 digits)" },
        { "message.json", "data.media=null", "data.media: must be an array, not null" },
        { "message.json", "data.media=[5]", "data.media[0]: must be an object, not a number" },
        { "message.json", "data.media=[{}]", "data.media[0].url: is required" },
        { "message.json", "data.media=[{\"url\":\"u\",\"type\":\"t\",\"size\":1,\"filename\":\"\",\"thumbnail\":\"\"}]", "data.media[0].thumbnail: must not be empty" },
        { "message.json", "data.media=[{\"url\":\"u\",\"type\":\"t\",\"size\":1,\"filename\":\"f\",\"thumbnail\":5}]", "data.media[0].thumbnail: must be a string or null, not a number" },
        { "recording.json", "data.size=-1", "data.size: must not be negative" },
        { "recording.json", "data.uuid=[]", "data.uuid: must be a string, not an array" },
        { "call-log.json", "data.uuid=null", "data.uuid: must be a string, not null" },
        { "api-error.json", "data.error=5", "data.error: must be a string, not a number" },
        { "api-error.json", "data.request=[]", "data.request: must be an object, not an array" },
        { "api-error.json", "data.request.method=-", "data.request.method: is required" },
        { "api-error.json", "data.response.payload=null", "data.response.payload: must be a string, not null" },
        { "api-error.json", "data.response.status=600", "data.response.status: must be between 100 and 599" },
        { "api-error.json", "data.response.status=404.0", "data.response.status: must be an integer, not 404.0" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void Broken_rule_is_reported_with_its_path(string fixture, string mutation, string expected)
    {
        var node = Load(fixture);
        Mutate(node, mutation);

        Assert.Contains(expected, ErrorsOf(node));
    }

    [Fact]
    public void Every_error_is_reported_at_once_not_just_the_first()
    {
        var node = Load(CallFixture);
        Mutate(node, "data.event_leg.state=\"ringing\"");
        Mutate(node, "data.direction=\"sideways\"");
        Mutate(node, "listener_id=\"x\"");
        Mutate(node, "data.first_leg.to.id=5");

        var errors = ErrorsOf(node);

        Assert.Equal(4, errors.Count);
        Assert.Contains("listener_id: must be an integer, not a string", errors);
        Assert.Contains("data.direction: \"sideways\" is not one of inbound, outbound", errors);
        Assert.Contains("data.first_leg.to.id: must be a string, not a number", errors);
    }

    [Theory]
    [InlineData("", "$: is not valid JSON")]
    [InlineData("{", "$: is not valid JSON")]
    [InlineData("{\"uuid\": \"a\",}", "$: is not valid JSON")]
    [InlineData("not json", "$: is not valid JSON")]
    [InlineData("[]", "$: must be an object, not an array")]
    [InlineData("null", "$: must be an object, not null")]
    [InlineData("\"event\"", "$: must be an object, not a string")]
    [InlineData("{}", "uuid: is required")]
    public void Input_that_is_not_an_event_object_is_rejected(string json, string expectedStart)
    {
        var errors = ErrorsOf(json);

        Assert.StartsWith(expectedStart, errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_object_names_every_missing_field()
    {
        var errors = ErrorsOf("{}");

        foreach (var field in new[] { "uuid", "version", "listener_id", "context", "timestamp", "timestamp_ns", "tags", "data_type", "data_object_uuid", "data" })
        {
            Assert.Contains($"{field}: is required", errors);
        }
    }

    [Fact]
    public void Deeply_nested_input_is_rejected_without_a_crash()
    {
        var json = new string('[', 10_000) + new string(']', 10_000);

        Assert.StartsWith("$: is not valid JSON", ErrorsOf(json)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_rejected_without_a_crash()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(Fixtures.Text(CallFixture).Replace("sip.phone.com", "sip.phone.c\u00f3m", StringComparison.Ordinal));
        var i = Array.IndexOf(bytes, (byte)0xC3);
        bytes[i + 1] = 0x28; // breaks the two-byte sequence

        var result = EventJson.Read(bytes);

        Assert.False(result.IsValid);
    }

    /// <summary>Applies "a.b.c=json" (set) or "a.b.c=-" (remove) to the event.</summary>
    private static void Mutate(JsonObject root, string mutation)
    {
        var (path, value) = (mutation[..mutation.IndexOf('=', StringComparison.Ordinal)], mutation[(mutation.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var parts = path.Split('.');
        var target = root;
        foreach (var part in parts[..^1])
        {
            target = target[part]!.AsObject();
        }
        if (value == "-")
        {
            target.Remove(parts[^1]);
        }
        else
        {
            target[parts[^1]] = JsonNode.Parse(value);
        }
    }
}
