using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>Activities in, events out: ingest, tagging, matching, rendering and HTTP delivery to real receivers.</summary>
public class PipelineTests
{
    private static readonly string[] CallSteps =
        [.. Enumerable.Range(1, 8).Select(i => Directory.GetFiles(FixturePath("inbound-call-to-device"), $"{i}-*.json").Single())
            .Select(p => "inbound-call-to-device/" + Path.GetFileName(p))];

    [Fact]
    public async Task The_eight_steps_of_a_call_arrive_as_the_fixture_events()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var item = await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        var listenerId = item.GetProperty("id").GetInt64();

        foreach (var step in CallSteps)
        {
            var answer = await IngestAsync(producer, ActivityOf(step));
            Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        }
        await receiver.WaitForEventsAsync(CallSteps.Length);

        var received = receiver.Events.Select(r => JsonNode.Parse(r.Body)!.AsObject()).ToList();
        Assert.Equal(CallSteps.Length, received.Count);
        foreach (var step in CallSteps)
        {
            var expected = JsonNode.Parse(File.ReadAllText(FixturePath(step)))!.AsObject();
            var actual = received.Single(e => e["timestamp_ns"]!.GetValue<long>() == expected["timestamp_ns"]!.GetValue<long>()
                && e["data"]!["event_leg"]!["state"]!.GetValue<string>() == expected["data"]!["event_leg"]!["state"]!.GetValue<string>()
                && e["data"]!["event_leg"]!["uuid"]!.GetValue<string>() == expected["data"]!["event_leg"]!["uuid"]!.GetValue<string>());
            Assert.Equal(listenerId, actual["listener_id"]!.GetValue<long>());
            Assert.Equal("""{"type":"account","id":1000002,"voip_id":1000002}""", actual["context"]!.ToJsonString());
            Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", actual["uuid"]!.GetValue<string>());
            foreach (var field in new[] { "uuid", "listener_id", "context" })
            {
                expected.Remove(field);
                actual.Remove(field);
            }
            Assert.True(JsonNode.DeepEquals(expected, actual), $"{step}:\nexpected {expected.ToJsonString()}\nactual   {actual.ToJsonString()}");
        }
    }

    [Fact]
    public async Task Events_carry_standard_webhooks_headers_and_a_signature_the_receiver_can_verify()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var secret = Events.WebhookSignature.GenerateSecret();
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]], callbackExtra: $", \"secret\": \"{secret}\", \"headers\": [{{\"name\": \"X-Api-Key\", \"value\": \"k-123\"}}]");

        await IngestAsync(producer, ActivityOf(CallSteps[0]));
        await receiver.WaitForEventsAsync(1);

        var request = receiver.Events.Single();
        var sent = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/json; charset=utf-8", request.Headers["Content-Type"]);
        Assert.StartsWith("Switchboard/", request.Headers["User-Agent"], StringComparison.Ordinal);
        Assert.Equal("k-123", request.Headers["X-Api-Key"]);
        Assert.Equal(sent.GetProperty("uuid").GetString(), request.Headers["webhook-id"]);
        var check = new Events.WebhookSignature(secret).Verify(
            request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Headers["webhook-signature"], request.Body, DateTimeOffset.UtcNow);
        Assert.Equal(Events.SignatureCheck.Valid, check);
        var forged = new Events.WebhookSignature(Events.WebhookSignature.GenerateSecret()).Verify(
            request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Headers["webhook-signature"], request.Body, DateTimeOffset.UtcNow);
        Assert.NotEqual(Events.SignatureCheck.Valid, forged);
    }
}
