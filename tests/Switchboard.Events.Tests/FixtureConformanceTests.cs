using System.Text.Json;

namespace Switchboard.Events.Tests;

public class FixtureConformanceTests
{
    [Fact]
    public void All_twelve_fixture_events_are_present()
    {
        Assert.Equal(12, Fixtures.All().Count());
        Assert.Equal(8, Fixtures.CallFixtures.Count);
    }

    [Theory]
    [MemberData(nameof(Fixtures.Names), MemberType = typeof(Fixtures))]
    public void Fixture_validates(string name)
    {
        var result = EventJson.Read(Fixtures.Bytes(name));

        Assert.Empty(result.Errors);
        Assert.NotNull(result.Value);
    }

    [Theory]
    [MemberData(nameof(Fixtures.Names), MemberType = typeof(Fixtures))]
    public void Fixture_round_trips_to_equal_json(string name)
    {
        var written = EventJson.WriteString(Fixtures.Read(name));

        JsonAssert.Equal(Fixtures.Text(name), written);
    }

    [Theory]
    [MemberData(nameof(Fixtures.Names), MemberType = typeof(Fixtures))]
    public void Fixture_round_trips_through_the_serializer_context(string name)
    {
        var value = JsonSerializer.Deserialize(Fixtures.Text(name), EventsJsonContext.Default.Event)!;
        var written = JsonSerializer.Serialize(value, EventsJsonContext.Default.Event);

        JsonAssert.Equal(Fixtures.Text(name), written);
    }

    [Theory]
    [MemberData(nameof(Fixtures.Names), MemberType = typeof(Fixtures))]
    public void Fixture_tags_follow_the_rules(string name)
    {
        var value = Fixtures.Read(name);

        var derived = EventTagger.Tag(value);

        if (name == "message.json")
        {
            // events.md, known defects: the fixture says "type": "mms" but carries sms-message;
            // the rule gives mms-message. The tagger follows the rule.
            Assert.Equal(["message", "*ms-message", "sms-message", "received-message", "inbound"], value.Tags);
            Assert.Equal(["message", "*ms-message", "mms-message", "received-message", "inbound"], derived);
        }
        else
        {
            Assert.Equal(value.Tags, derived);
        }
    }

    [Fact]
    public void Participant_ids_keep_their_json_kind()
    {
        var leg = ((CallData)Fixtures.Read("inbound-call-to-device/3-2nd-leg-new.json").Data).EventLeg;

        Assert.False(leg.From.Id.IsNumber);
        Assert.Equal("+15550000001", leg.From.Id.Text);
        Assert.True(leg.To.Id.IsNumber);
        Assert.Equal(555555, leg.To.Id.Number);
        var written = EventJson.WriteString(Fixtures.Read("inbound-call-to-device/3-2nd-leg-new.json"));
        Assert.Contains("\"id\":555555", written, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"+15550000001\"", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_ns_keeps_all_nineteen_digits()
    {
        var value = Fixtures.Read("inbound-call-to-device/3-2nd-leg-new.json");

        Assert.Equal(1593096563751035000, value.TimestampNs);
        Assert.Equal(1593096563, value.Timestamp);
        Assert.Contains("\"timestamp_ns\":1593096563751035000", EventJson.WriteString(value), StringComparison.Ordinal);
    }

    [Fact]
    public void Non_canonical_identifiers_are_kept_as_received()
    {
        var value = Fixtures.Read("recording.json");

        Assert.Equal("1111111-1111-1111-1111-111111111111", value.DataObjectUuid);
    }
}
