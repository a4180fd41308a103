using System.Text.Json.Nodes;

namespace Switchboard.Events.Tests;

public class UnknownFieldTests
{
    [Fact]
    public void Unknown_fields_inside_data_and_its_objects_are_kept_and_written_back()
    {
        var node = JsonNode.Parse(Fixtures.Text("inbound-call-to-device/3-2nd-leg-new.json"))!.AsObject();
        node["data"]!["carrier"] = "acme";
        node["data"]!["event_leg"]!["sip_call_id"] = "abc@host";
        node["data"]!["event_leg"]!["to"]!["user_agent"] = new JsonObject { ["name"] = "Yealink", ["rev"] = 3 };
        node["data"]!["first_leg"]!["from"]!["cnam"] = "ACME INC";
        node["trace"] = new JsonArray(1, 2);
        var json = node.ToJsonString();

        var read = EventJson.Read(json);

        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        var call = (CallData)read.Value!.Data;
        Assert.Equal("acme", call.Extra!["carrier"].GetString());
        Assert.Equal("abc@host", call.EventLeg.Extra!["sip_call_id"].GetString());
        JsonAssert.Equal(json, EventJson.WriteString(read.Value));
    }

    [Fact]
    public void Unknown_fields_of_messages_are_kept()
    {
        var node = JsonNode.Parse(Fixtures.Text("message.json"))!.AsObject();
        node["data"]!["inbox"]!["folder"] = "main";
        node["data"]!["media"]![0]!["width"] = 640;
        node["data"]!["to"]![0]!["name"] = null;
        var json = node.ToJsonString();

        var read = EventJson.Read(json);

        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        JsonAssert.Equal(json, EventJson.WriteString(read.Value!));
    }

    [Fact]
    public void Bare_data_of_an_activity_is_read_with_paths_under_the_given_prefix()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("""{"uuid": "r1", "type": "voicemail", "size": 10, "duration": -1}""");

        var result = EventJson.ReadData(DataType.Recording, doc.RootElement, "line 3: data");

        Assert.False(result.IsValid);
        Assert.Equal("line 3: data.duration: must not be negative", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Bare_data_of_an_activity_is_tagged()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("""{"uuid": "r1", "type": "voicemail", "size": 10, "duration": 3}""");

        var result = EventJson.ReadData(DataType.Recording, doc.RootElement);

        Assert.Equal(["recording", "voicemail-recording"], EventTagger.Tag(result.Value!));
    }
}
