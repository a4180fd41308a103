using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Events.Tests;

/// <summary>
/// What the strict reader promises beyond single broken rules: the order of its errors, field
/// order and escapes that do not matter, and the same answers through every way in.
/// </summary>
public class StrictReadingTests
{
    private const string CallFixture = "inbound-call-to-device/3-2nd-leg-new.json";

    private static JsonObject Load(string name) => JsonNode.Parse(Fixtures.Text(name))!.AsObject();

    private static List<string> ErrorsOf(string json) => EventJson.Read(json).Errors.Select(e => e.ToString()).ToList();

    /// <summary>The same object with its fields in reverse order, at every level.</summary>
    private static JsonNode? Reversed(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Reverse().Select(p => KeyValuePair.Create(p.Key, Reversed(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Reversed).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    private static JsonObject WithBrokenRules()
    {
        var node = Load(CallFixture);
        node["listener_id"] = -1;
        node["context"]!["voip_id"] = "x";
        node["tags"] = new JsonArray("call", 7);
        node["data"]!["direction"] = "sideways";
        node["data"]!["event_leg"]!["to"]!["line"] = "1";
        node["data"]!["event_leg"]!["state"] = null;
        node["data"]!["first_leg"]!["from"]!["id"] = "555";
        node.Remove("data_object_uuid");
        return node;
    }

    private static readonly string[] BrokenRules =
    [
        "listener_id: must not be negative",
        "context.voip_id: must be an integer, not a string",
        "tags[1]: must be a string, not a number",
        "data_object_uuid: is required",
        "data.direction: \"sideways\" is not one of inbound, outbound",
        "data.event_leg.to.line: must be an integer, not a string",
        "data.event_leg.state: must be a string, not null",
        "data.first_leg.from.id: \"555\" is not an E.164 phone number (+ and up to 15 digits)",
    ];

    [Fact]
    public void Errors_come_in_the_order_of_the_rules()
    {
        Assert.Equal(BrokenRules, ErrorsOf(WithBrokenRules().ToJsonString()));
    }

    [Fact]
    public void Errors_come_in_the_same_order_whatever_the_order_of_the_fields()
    {
        Assert.Equal(BrokenRules, ErrorsOf(Reversed(WithBrokenRules())!.ToJsonString()));
    }

    [Theory]
    [MemberData(nameof(Fixtures.Names), MemberType = typeof(Fixtures))]
    public void Data_before_its_data_type_and_fields_in_any_order_read_the_same(string name)
    {
        var reversed = Reversed(Load(name))!.ToJsonString();
        Assert.StartsWith("{\"data\":", reversed, StringComparison.Ordinal);

        var result = EventJson.Read(reversed);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(EventJson.WriteString(Fixtures.Read(name)), EventJson.WriteString(result.Value!));
    }

    [Fact]
    public void Escaped_field_names_and_values_read_as_their_text()
    {
        var json = Fixtures.Text(CallFixture)
            .Replace("\"uuid\"", "\"\\u0075uid\"", StringComparison.Ordinal)
            .Replace("\"new-call\"", "\"new\\u002Dcall\"", StringComparison.Ordinal)
            .Replace("\"inbound\",", "\"\\u0069nbound\",", StringComparison.Ordinal)
            .Replace("\"+15550000001\"", "\"\\u002B15550000001\"", StringComparison.Ordinal)
            .Replace("\"2.0.0\"", "\"2.0.\\u0030\"", StringComparison.Ordinal);

        var result = EventJson.Read(json);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(EventJson.WriteString(Fixtures.Read(CallFixture)), EventJson.WriteString(result.Value!));
        Assert.Same(Tags.NewCall, result.Value!.Tags[1]);
    }

    [Fact]
    public void Field_names_are_matched_exactly()
    {
        var json = Fixtures.Text(CallFixture).Replace("\"listener_id\"", "\"Listener_id\"", StringComparison.Ordinal);

        var result = EventJson.Read(json);

        Assert.Equal(["listener_id: is required"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_repeated_field_counts_with_its_last_value()
    {
        var json = Fixtures.Text(CallFixture).Replace("\"listener_id\": 1000,", "\"listener_id\": 5, \"listener_id\": 7,", StringComparison.Ordinal);
        Assert.Equal(7, EventJson.Read(json).Value!.ListenerId);

        json = Fixtures.Text(CallFixture).Replace("\"listener_id\": 1000,", "\"listener_id\": 5, \"listener_id\": -7,", StringComparison.Ordinal);
        Assert.Equal(["listener_id: must not be negative"], ErrorsOf(json));
    }

    [Fact]
    public void A_participant_of_unknown_type_still_needs_an_id()
    {
        var node = Load(CallFixture);
        node["data"]!["event_leg"]!["to"] = new JsonObject { ["type"] = "fax" };

        Assert.Equal(
            ["data.event_leg.to.type: \"fax\" is not one of did, device, extension", "data.event_leg.to.id: is required"],
            ErrorsOf(node.ToJsonString()));
    }

    [Fact]
    public void An_extension_participant_reads_without_line_or_domain()
    {
        var node = Load(CallFixture);
        node["data"]!["event_leg"]!["to"] = new JsonObject { ["type"] = "extension", ["id"] = 7, ["extension_id"] = 7, ["extension"] = 500 };

        var result = EventJson.Read(node.ToJsonString());

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var to = ((CallData)result.Value!.Data).EventLeg.To;
        Assert.Equal(new Participant { Type = ParticipantType.Extension, Id = ParticipantId.Of(7), ExtensionId = 7, Extension = 500 }, to);
    }

    private static JsonObject ListenerCallback()
    {
        var node = Load("call-log.json");
        node["tags"] = new JsonArray("deactivated-listener-callback");
        node["data_type"] = "listener-callback";
        node["data"] = new JsonObject { ["listener_id"] = 1000, ["callback_id"] = 17, ["reason"] = "410 Gone" };
        return node;
    }

    [Fact]
    public void A_listener_callback_event_reads_and_writes_back()
    {
        var json = ListenerCallback().ToJsonString();

        var result = EventJson.Read(json);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(new ListenerCallbackData { ListenerId = 1000, CallbackId = 17, Reason = "410 Gone" }, result.Value!.Data);
        JsonAssert.Equal(json, EventJson.WriteString(result.Value));
    }

    [Fact]
    public void A_listener_callback_event_names_its_broken_rules()
    {
        var node = ListenerCallback();
        node["data"]!["listener_id"] = -1;
        node["data"]!.AsObject().Remove("callback_id");
        node["data"]!["reason"] = "";

        Assert.Equal(
            ["data.listener_id: must not be negative", "data.callback_id: is required", "data.reason: must not be empty"],
            ErrorsOf(node.ToJsonString()));
    }

    [Theory]
    [InlineData("{\"uuid\": \"a\",}", "$: is not valid JSON: The JSON object contains a trailing comma at the end which is not supported in this mode. Change the reader options (line 1, byte 14)")]
    [InlineData("{} x", "$: is not valid JSON: 'x' is invalid after a single JSON value. Expected end of data (line 1, byte 4)")]
    [InlineData("{\n  \"uuid\": 01\n}", "$: is not valid JSON: Invalid leading zero before '1' (line 2, byte 12)")]
    [InlineData("{\n  \"uuid\": \"a\"\n  \"v\": 1}", "$: is not valid JSON: '\"' is invalid after a value. Expected either ',', '}', or ']' (line 3, byte 3)")]
    [InlineData("[1, 2 ", "$: is not valid JSON: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed (line 1, byte 7)")]
    public void Input_that_is_not_json_is_one_error_with_its_position(string json, string expected)
    {
        Assert.Equal([expected], ErrorsOf(json));
    }

    [Fact]
    public void Broken_json_after_broken_rules_is_reported_as_broken_json_only()
    {
        var json = Fixtures.Text(CallFixture).Replace("\"2.0.0\"", "\"9\"", StringComparison.Ordinal).TrimEnd().TrimEnd('}');

        var errors = ErrorsOf(json);

        Assert.StartsWith("$: is not valid JSON", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_reads_like_bytes_and_may_start_with_a_byte_order_mark()
    {
        var bytes = Fixtures.Bytes(CallFixture);
        using var plain = new MemoryStream(bytes);
        using var marked = new MemoryStream([0xEF, 0xBB, 0xBF, .. bytes]);
        using var broken = new MemoryStream(Encoding.UTF8.GetBytes("{\"uuid\": \"a\",}"));

        Assert.Equal(EventJson.WriteString(Fixtures.Read(CallFixture)), EventJson.WriteString((await EventJson.ReadAsync(plain)).Value!));
        Assert.True((await EventJson.ReadAsync(marked)).IsValid);
        Assert.Equal(ErrorsOf("{\"uuid\": \"a\",}"), (await EventJson.ReadAsync(broken)).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Bytes_with_a_byte_order_mark_are_not_json()
    {
        var result = EventJson.Read(new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Fixtures.Bytes(CallFixture)).ToArray());

        Assert.Equal("$: is not valid JSON: '0xEF' is an invalid start of a value (line 1, byte 1)", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void A_parsed_document_reads_like_its_bytes()
    {
        var broken = WithBrokenRules().ToJsonString();
        using var valid = JsonDocument.Parse(Fixtures.Bytes(CallFixture));
        using var invalid = JsonDocument.Parse(broken);
        using var array = JsonDocument.Parse("[]");

        Assert.Equal(EventJson.WriteString(Fixtures.Read(CallFixture)), EventJson.WriteString(EventJson.Read(valid.RootElement).Value!));
        Assert.Equal(BrokenRules, EventJson.Read(invalid.RootElement).Errors.Select(e => e.ToString()));
        Assert.Equal("$: must be an object, not an array", Assert.Single(EventJson.Read(array.RootElement).Errors).ToString());
    }

    [Fact]
    public void The_serializer_context_reads_events_strictly()
    {
        var wrapped = $"{{\"note\": 1, \"event\": {Fixtures.Text(CallFixture)}}}";
        using var document = JsonDocument.Parse(wrapped);

        var read = document.RootElement.GetProperty("event").Deserialize(EventsJsonContext.Default.Event)!;
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(WithBrokenRules().ToJsonString(), EventsJsonContext.Default.Event));

        Assert.Equal(EventJson.WriteString(Fixtures.Read(CallFixture)), EventJson.WriteString(read));
        Assert.Equal(string.Join("; ", BrokenRules), e.Message);
    }

    [Fact]
    public void Bare_data_that_is_not_an_object_is_named_by_the_given_path()
    {
        using var document = JsonDocument.Parse("[1]");

        var result = EventJson.ReadData(DataType.Call, document.RootElement, "line 3: data");

        Assert.Equal("line 3: data: must be an object, not an array", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Bare_data_reports_every_broken_rule_under_its_path()
    {
        var data = Load("message.json")["data"]!.AsObject();
        data["to"] = new JsonArray();
        data["media"]![0]!["size"] = "big";
        using var document = JsonDocument.Parse(data.ToJsonString());

        var result = EventJson.ReadData(DataType.Message, document.RootElement, "line 3: data");

        Assert.Equal(
            ["line 3: data.to: must name at least one recipient", "line 3: data.media[0].size: must be an integer, not a string"],
            result.Errors.Select(e => e.ToString()));
    }
}
