using System.Text.Json.Nodes;
using Switchboard.Storage;
using static Switchboard.Tests.Outbox;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>The sms-autoresponder through a loopback messaging gateway (delivery.md, sms-autoresponder).</summary>
public class AutoresponderTests
{
    private const string Autoresponder = """{"config": {"application": "sms-autoresponder", "parameters": {"message": "Thanks! We answer within the hour.", "rate-limit": 3600}}}""";

    [Fact]
    public async Task Inbound_messages_are_answered_once_per_sender_within_the_rate_limit_even_across_a_restart()
    {
        await using var gateway = await Receiver.StartAsync();
        string[] settings = [$"--Applications:Messaging:Endpoint={gateway.Url}", "--Applications:Messaging:Token=gw-token"];
        var hub = await TestHub.StartAsync(null, settings);
        try
        {
            using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
            var producer = await hub.ClientAsync(TokenScope.Operator);
            await ListenWithAsync(account, Autoresponder, "message");

            await IngestAsync(producer, Message("+15550000001"));
            await gateway.WaitForEventsAsync(1);
            var reply = gateway.Events.Single();
            Assert.Equal("POST", reply.Method);
            Assert.Equal("Bearer gw-token", reply.Headers["Authorization"]);
            Assert.StartsWith("application/json", reply.Headers["Content-Type"], StringComparison.Ordinal);
            var expected = JsonNode.Parse("""{"from": "+15550000002", "to": "+15550000001", "text": "Thanks! We answer within the hour.", "voip_id": 1000002}""");
            Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(reply.Body)), reply.Body);
            Assert.Contains("\"to\":\"+15550000001\"", reply.Body, StringComparison.Ordinal);

            // The same sender again, an outbound message, another data type: nothing sent, all delivered.
            await IngestAsync(producer, Message("+15550000001"));
            await IngestAsync(producer, Message("+15550000001", outbound: true));
            await DeliveryTests.WaitForStatusAsync(hub, "delivered", 3);
            // Another sender gets an answer.
            await IngestAsync(producer, Message("+15550000003"));
            await gateway.WaitForEventsAsync(2);
            Assert.Equal("+15550000003", JsonNode.Parse(gateway.Events.Last().Body)!["to"]!.GetValue<string>());

            var dataDirectory = hub.DataDirectory;
            producer.Dispose();
            await hub.DisposeAsync();
            hub = await TestHub.StartAsync(dataDirectory, settings);
            producer = await hub.ClientAsync(TokenScope.Operator);
            await IngestAsync(producer, Message("+15550000001"));
            await IngestAsync(producer, Message("+15550000003"));
            await DeliveryTests.WaitForStatusAsync(hub, "delivered", 6);
            producer.Dispose();

            Assert.Equal(2, gateway.Events.Count());
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_reply_the_gateway_refused_is_sent_on_the_retry_and_counts_once()
    {
        await using var gateway = await Receiver.StartAsync();
        await using var hub = await TestHub.StartAsync(null, $"--Applications:Messaging:Endpoint={gateway.Url}", "--Delivery:RetrySchedule=50ms,50ms");
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, Autoresponder, "message");
        var calls = 0;
        gateway.Answer = _ => (Interlocked.Increment(ref calls) == 1 ? 503 : 200, null);

        await IngestAsync(producer, Message("+15550000001"));
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 1);
        await IngestAsync(producer, Message("+15550000001"));
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 2);

        Assert.Equal(2, gateway.Events.Count());
        Assert.False(gateway.Events.First().Headers.ContainsKey("Authorization"));
        Assert.Equal([503, 200, null], (await AttemptsAsync(hub)).Select(a => a.StatusCode));
    }

    [Fact]
    public async Task Without_a_gateway_configured_replies_fail_with_a_clear_error()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=20ms");
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, Autoresponder, "message");

        await IngestAsync(producer, Message("+15550000001"));
        await DeliveryTests.WaitForStatusAsync(hub, "failed", 1);

        Assert.All(await AttemptsAsync(hub), a => Assert.Equal("the hub has no messaging gateway configured (Applications:Messaging:Endpoint)", a.Error));
    }

    /// <summary>The fixture's message, from <paramref name="sender"/> to the inbox +15550000002 (or the other way when outbound).</summary>
    private static JsonObject Message(string sender, bool outbound = false)
    {
        var activity = ActivityOf("message.json");
        var data = activity["data"]!;
        data["type"] = "sms";
        data["media"] = new JsonArray();
        if (outbound)
        {
            data["direction"] = "outbound";
            data["state"] = "sent";
            data["from"] = new JsonObject { ["type"] = "did", ["id"] = "+15550000002" };
            data["to"] = new JsonArray(new JsonObject { ["type"] = "did", ["id"] = sender });
        }
        else
        {
            data["from"] = new JsonObject { ["type"] = "did", ["id"] = sender };
        }
        return activity;
    }
}
