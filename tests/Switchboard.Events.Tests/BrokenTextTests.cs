using System.Text;

namespace Switchboard.Events.Tests;

/// <summary>
/// Strings that are not valid Unicode (broken UTF-8, an escaped lone surrogate) are errors with
/// their path, never exceptions.
/// </summary>
public class BrokenTextTests
{
    private const string CallFixture = "inbound-call-to-device/3-2nd-leg-new.json";

    private static string Call(string from, string to) =>
        Fixtures.Text(CallFixture).Replace(from, to, StringComparison.Ordinal);

    private static List<string> ErrorsOf(string json) => ErrorsOf(Encoding.UTF8.GetBytes(json));

    private static List<string> ErrorsOf(byte[] utf8)
    {
        var result = EventJson.Read(utf8);
        Assert.False(result.IsValid);
        return result.Errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void A_lone_surrogate_in_a_string_is_named()
    {
        Assert.Equal(["uuid: is not valid Unicode text"],
            ErrorsOf(Call("\"00000000-0000-0000-0000-000000000003\"", "\"\\ud800\"")));
        Assert.Equal(["data.event_leg.to.domain: is not valid Unicode text"],
            ErrorsOf(Call("\"sip.phone.com\"", "\"sip\\udc00\"")));
    }

    [Fact]
    public void Broken_utf8_in_a_string_is_named()
    {
        var bytes = Encoding.UTF8.GetBytes(Call("sip.phone.com", "sip.phone.c\u00f3m"));
        bytes[Array.IndexOf(bytes, (byte)0xC3) + 1] = 0x28; // breaks the two-byte sequence

        Assert.Equal(["data.event_leg.to.domain: is not valid Unicode text"], ErrorsOf(bytes));
    }

    [Fact]
    public void Broken_text_is_reported_only_when_nothing_else_is_wrong()
    {
        var json = Call("\"00000000-0000-0000-0000-000000000003\"", "\"\\ud800\"").Replace("\"listener_id\": 1000", "\"listener_id\": -1", StringComparison.Ordinal);

        Assert.Equal(["listener_id: must not be negative"], ErrorsOf(json));
    }

    [Fact]
    public void Broken_text_where_a_rule_must_quote_it_is_reported_with_the_other_errors()
    {
        var json = Call("\"inbound\",\n    \"event_leg\"", "\"\\ud800\",\n    \"event_leg\"")
            .Replace("\"not-first-leg\"", "\"\\udfff\"", StringComparison.Ordinal)
            .Replace("\"listener_id\": 1000", "\"listener_id\": -1", StringComparison.Ordinal);

        Assert.Equal(
            ["listener_id: must not be negative", "tags[2]: is not valid Unicode text", "data.direction: is not valid Unicode text"],
            ErrorsOf(json));
    }

    [Fact]
    public void A_field_name_with_a_lone_surrogate_is_named_by_its_object()
    {
        Assert.Equal(["$: has a field name that is not valid Unicode text"],
            ErrorsOf(Call("{\n  \"uuid\"", "{\n  \"\\ud800\": 1, \"uuid\"")));
        Assert.Equal(["data.event_leg.from: has a field name that is not valid Unicode text"],
            ErrorsOf(Call("\"type\": \"did\",\n        \"id\": \"+15550000001\"\n      },\n      \"to\": {\n        \"type\": \"device\"",
                "\"\\ud800\": 0, \"type\": \"did\",\n        \"id\": \"+15550000001\"\n      },\n      \"to\": {\n        \"type\": \"device\"")));
    }

    [Fact]
    public void Broken_utf8_in_an_unknown_field_name_is_kept_as_replacement_characters()
    {
        var bytes = Encoding.UTF8.GetBytes(Call("{\n  \"uuid\"", "{\n  \"carri\u00e9r\": 1, \"uuid\""));
        bytes[Array.IndexOf(bytes, (byte)0xC3) + 1] = 0x28;

        var result = EventJson.Read(bytes);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(["carri\uFFFD(r"], result.Value!.Extra!.Keys);
    }

    [Fact]
    public void A_repeated_unknown_field_keeps_its_last_value()
    {
        var result = EventJson.Read(Call("{\n  \"uuid\"", "{\n  \"trace\": 1, \"trace\": 2, \"uuid\""));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(2, Assert.Single(result.Value!.Extra!).Value.GetInt32());
    }

    [Fact]
    public void A_repeated_field_is_read_by_its_last_value_whatever_the_earlier_ones_hold()
    {
        var result = EventJson.Read(Call("\"listener_id\": 1000,", "\"listener_id\": {\"a\": 1}, \"listener_id\": 1000,")
            .Replace("\"state\": \"new\"", "\"state\": 7, \"state\": \"ringing\", \"state\": \"new\"", StringComparison.Ordinal));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(1000, result.Value!.ListenerId);
        Assert.Equal(LegState.New, ((CallData)result.Value.Data).EventLeg.State);
    }
}
