using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Delivery;
using Switchboard.Matching;
using Switchboard.Storage;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>The e-mail renderings of an event (delivery.md, EMAIL callbacks), against the fixture.</summary>
public class EmailBodyTests
{
    private const string FixtureLink = "https://events.cit-phone.com/callback-unsubscribe/1000/0123456789abcdef0123456789abcdef";

    /// <summary>The api-error event that fixtures/events/api-error-email-text.txt renders, as the hub would deliver it.</summary>
    internal static (JsonObject Data, long TimestampNs) FixtureTextEvent()
    {
        var text = File.ReadAllText(FixturePath("api-error-email-text.txt"));
        // The payload is the one multi-line value: everything between its label and the last line.
        var start = text.IndexOf("Data / Response / Payload: ", StringComparison.Ordinal) + "Data / Response / Payload: ".Length;
        var end = text.IndexOf("\nUnsubscribe link: ", StringComparison.Ordinal);
        var data = new JsonObject
        {
            ["error"] = "Forbidden",
            ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "/v4/accounts/1000002/fax", ["body_size"] = 1035 },
            ["response"] = new JsonObject { ["status"] = 403, ["payload"] = text[start..end] },
        };
        return (data, 1601316901000000000);
    }

    [Fact]
    public void Text_mode_reproduces_the_fixture_line_for_line()
    {
        var (data, timestampNs) = FixtureTextEvent();
        var activity = new StoredActivity(1, 1000002, "api-error", "11111111-1111-1111-1111-111111111111", timestampNs,
            ["api-error", "api-error-trusted"], Encoding.UTF8.GetBytes(data.ToJsonString()), 0, [new EventTarget(1000, 1, null, "2.0.0")]);
        var outboxEvent = new OutboxEvent(new EventKey(1, 0), "00000000-0000-0000-0000-000000000000", activity);

        var rendered = EmailBody.Text(EventRenderer.Render(outboxEvent), FixtureLink);

        var expected = File.ReadAllText(FixturePath("api-error-email-text.txt")).Split('\n');
        var actual = rendered.Split('\n');
        for (var i = 0; i < Math.Min(expected.Length, actual.Length); i++)
        {
            Assert.True(expected[i] == actual[i], $"line {i + 1}: expected «{expected[i]}», got «{actual[i]}»");
        }
        Assert.Equal(expected.Length, actual.Length);
    }

    [Theory]
    [InlineData("data_object_uuid", "Data object UUID")]
    [InlineData("voip_id", "Voip ID")]
    [InlineData("uuid", "UUID")]
    [InlineData("id", "ID")]
    [InlineData("timestamp_ns", "Timestamp ns")]
    [InlineData("body_size", "Body size")]
    [InlineData("extension_id", "Extension ID")]
    [InlineData("is_first", "Is first")]
    [InlineData("valid_uuids", "Valid uuids")]
    public void Labels_are_made_from_snake_case_names(string name, string label) => Assert.Equal(label, EmailBody.Label(name));

    [Fact]
    public void Arrays_of_objects_nulls_and_empty_values_each_get_a_line()
    {
        var json = """{"data": {"inbox": {"extension_id": null, "did": "+15550000002"}, "to": [{"type": "did", "id": "+1555"}, {"type": "did", "id": "+1666"}], "media": [], "is_first": true, "message": "Grüße ☎"}}""";

        var text = EmailBody.Text(Encoding.UTF8.GetBytes(json), "http://hub/callback-unsubscribe/1/x");

        Assert.Equal(
            """
            Data / Inbox / Extension ID:
            Data / Inbox / Did: +15550000002
            Data / To [0] / Type: did
            Data / To [0] / ID: +1555
            Data / To [1] / Type: did
            Data / To [1] / ID: +1666
            Data / Media:
            Data / Is first: true
            Data / Message: Grüße ☎
            Unsubscribe link: http://hub/callback-unsubscribe/1/x
            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Json_mode_is_the_event_pretty_printed_with_the_unsubscribe_link_last()
    {
        var eventJson = File.ReadAllBytes(FixturePath("message.json"));

        var body = EmailBody.Json(eventJson, "http://hub/callback-unsubscribe/8580/abc");

        var parsed = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("unsubscribe_link", parsed.Last().Key);
        Assert.Equal("http://hub/callback-unsubscribe/8580/abc", parsed["unsubscribe_link"]!.GetValue<string>());
        parsed.Remove("unsubscribe_link");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(eventJson), parsed));
        Assert.Contains("\n  \"uuid\": ", body, StringComparison.Ordinal);
        Assert.Contains("\"+15550000001\"", body, StringComparison.Ordinal);
        Assert.Equal(1593095761000000000, JsonDocument.Parse(body).RootElement.GetProperty("timestamp_ns").GetInt64());
    }

    [Theory]
    [InlineData("api-error", new[] { "api-error", "api-error-trusted" }, "[Switchboard] api-error api-error-trusted u-1")]
    [InlineData("call", new[] { "call", "new-call", "first-leg", "inbound" }, "[Switchboard] call new-call u-1")]
    [InlineData("api-error", new[] { "api-error" }, "[Switchboard] api-error u-1")]
    [InlineData("listener-callback", new[] { "deactivated-listener-callback" }, "[Switchboard] listener-callback deactivated-listener-callback u-1")]
    public void The_subject_names_the_data_type_the_next_tag_and_the_object(string dataType, string[] tags, string subject) =>
        Assert.Equal(subject, EmailBody.Subject(new StoredActivity(1, 1, dataType, "u-1", 0, tags, [], 0, [])));
}
