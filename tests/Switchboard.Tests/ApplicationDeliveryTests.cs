using System.Net;
using System.Text.Json.Nodes;
using System.Web;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Outbox;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>APPLICATION callbacks against loopback collectors (delivery.md, APPLICATION callbacks).</summary>
public class ApplicationDeliveryTests
{
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";

    [Fact]
    public async Task Universal_analytics_gets_one_form_encoded_hit_with_static_and_dynamic_parameters()
    {
        await using var collector = await Receiver.StartAsync();
        await using var hub = await TestHub.StartAsync(null, $"--Applications:GoogleAnalytics:Endpoint={Base(collector)}/ua");
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, """
            {"config": {"application": "google-analytics", "parameters": {"tracking_id": "UA-12345-1",
              "static": {"ec": "Phone calls", "cd1": "switchboard", "ev": 3},
              "dynamic": {"el": "other_phone_number", "cd2": "phone_number", "cd3": "direction", "cd4": "direction_text", "cd5": "call_duration"}}}}
            """, "call");

        await IngestAsync(producer, ActivityOf(Call));
        await IngestAsync(producer, ActivityOf(Call));
        await collector.WaitForEventsAsync(2);

        var hits = collector.Events.ToList();
        Assert.All(hits, hit =>
        {
            Assert.Equal("POST", hit.Method);
            Assert.Equal("/ua/collect", hit.PathAndQuery);
            Assert.StartsWith("application/x-www-form-urlencoded", hit.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.StartsWith("Switchboard/", hit.Headers["User-Agent"], StringComparison.Ordinal);
        });
        var cid = HttpUtility.ParseQueryString(hits[0].Body)["cid"]!;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", cid);
        Assert.Equal(
            $"v=1&t=event&tid=UA-12345-1&cid={cid}&ec=Phone+calls&cd1=switchboard&ev=3&el=%2B15550000001&cd2=%2B15550000002&cd3=in&cd4=inbound&cd5=&ea=new-call",
            hits[0].Body);
        Assert.Equal(hits[0].Body, hits[1].Body);
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 2);
    }

    [Fact]
    public async Task The_client_id_is_a_stable_hash_of_the_account()
    {
        await using var collector = await Receiver.StartAsync();
        await using var hub = await TestHub.StartAsync(null, $"--Applications:GoogleAnalytics:Endpoint={Base(collector)}");
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        const string Analytics = """{"config": {"application": "google-analytics", "parameters": {"tracking_id": "UA-1-1"}}}""";
        using var first = await hub.ClientAsync(TokenScope.Account, 1000002);
        await ListenWithAsync(first, Analytics, "call");
        using var second = await hub.ClientAsync(TokenScope.Account, 2000003);
        await ExpectAsync(await second.PostAsync($"{OtherAccountBase}/overview", Json($$"""{":callback": {{Analytics}}, ":subscriptions": [{":tags": ["call"]}]}""")), HttpStatusCode.Created);

        await IngestAsync(producer, ActivityOf(Call));
        await collector.WaitForEventsAsync(1);
        await IngestAsync(producer, ActivityOf(Call, voipId: 2000003));
        await collector.WaitForEventsAsync(2);

        var ids = collector.Events.Select(e => HttpUtility.ParseQueryString(e.Body)["cid"]).ToList();
        Assert.NotEqual(ids[0], ids[1]);
        // Same account, same id, on another hub too: it depends on nothing but the account.
        await using var collector2 = await Receiver.StartAsync();
        await using var hub2 = await TestHub.StartAsync(null, $"--Applications:GoogleAnalytics:Endpoint={Base(collector2)}");
        using var producer2 = await hub2.ClientAsync(TokenScope.Operator);
        using var again = await hub2.ClientAsync(TokenScope.Account, 1000002);
        await ListenWithAsync(again, Analytics, "call");
        await IngestAsync(producer2, ActivityOf(Call));
        await collector2.WaitForEventsAsync(1);
        Assert.Equal(ids[0], HttpUtility.ParseQueryString(collector2.Events.Single().Body)["cid"]);
    }

    [Fact]
    public async Task Ga4_gets_a_json_event_with_the_api_secret_kept_out_of_the_delivery_log()
    {
        await using var collector = await Receiver.StartAsync(204);
        await using var hub = await TestHub.StartAsync(null, $"--Applications:GoogleAnalytics:Ga4Endpoint={Base(collector)}/g4/");
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, """
            {"config": {"application": "google-analytics", "parameters": {"tracking_id": "G-ABC123", "api_secret": "s3cr3t",
              "static": {"ea": "phone call", "ec": "calls", "ev": 12.5, "uid": "crm-42", "cd1": "x", "t": "ignored"},
              "dynamic": {"el": "phone_number", "cd2": "other_phone_number", "cd3": "call_duration", "cd4": "direction"}}}}
            """, "call-log");
        var activity = ActivityOf("call-log.json");
        // Producers may add these to a call-log (events.md); an outbound call from extension 101.
        activity["data"]!["duration"] = 42;
        activity["data"]!["direction"] = "outbound";
        activity["data"]!["from"] = new JsonObject { ["type"] = "extension", ["id"] = 555, ["extension_id"] = 7777777, ["extension"] = 101 };
        activity["data"]!["to"] = new JsonObject { ["type"] = "did", ["id"] = "+15550000009" };

        await IngestAsync(producer, activity);
        await collector.WaitForEventsAsync(1);
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 1);

        var request = collector.Events.Single();
        Assert.Equal("/g4/mp/collect?measurement_id=G-ABC123&api_secret=s3cr3t", request.PathAndQuery);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        var body = JsonNode.Parse(request.Body)!;
        var expected = JsonNode.Parse("""
            {"client_id": "CID", "user_id": "crm-42", "events": [{"name": "phone_call", "params": {
              "event_category": "calls", "value": 12.5, "cd1": "x", "event_label": "101", "cd2": "+15550000009", "cd3": "42", "cd4": "out"}}]}
            """)!;
        expected["client_id"] = body["client_id"]!.GetValue<string>();
        Assert.True(JsonNode.DeepEquals(expected, body), request.Body);
        var attempt = (await AttemptsAsync(hub)).Single();
        Assert.Equal(($"{Base(collector)}/g4/mp/collect?measurement_id=G-ABC123", 204), (attempt.Url, attempt.StatusCode));
        var shown = (await BodyAsync(await account.GetAsync($"{AccountBase}/callbacks"))).GetProperty("items")[0];
        Assert.Equal(System.Text.Json.JsonValueKind.True, shown.GetProperty("config").GetProperty("parameters").GetProperty("api_secret").ValueKind);
    }

    [Fact]
    public async Task Sending_the_masked_api_secret_back_in_an_update_keeps_the_stored_one()
    {
        await using var collector = await Receiver.StartAsync(204);
        await using var hub = await TestHub.StartAsync(null, $"--Applications:GoogleAnalytics:Ga4Endpoint={Base(collector)}/g4/");
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, """
            {"config": {"application": "google-analytics", "parameters": {"tracking_id": "G-ABC123", "api_secret": "s3cr3t", "static": {"ec": "calls"}}}}
            """, "call-log");
        var shown = (await BodyAsync(await account.GetAsync($"{AccountBase}/callbacks"))).GetProperty("items")[0];
        var config = JsonNode.Parse(shown.GetProperty("config").GetRawText())!;
        config["parameters"]!["static"]!["ec"] = "phone";

        var updated = await ExpectAsync(await account.PatchAsync($"{AccountBase}/callbacks/{shown.GetProperty("id")}", Json(new JsonObject { ["config"] = config }.ToJsonString())), HttpStatusCode.OK);
        await IngestAsync(producer, ActivityOf("call-log.json"));
        await collector.WaitForEventsAsync(1);

        Assert.Equal(System.Text.Json.JsonValueKind.True, updated.GetProperty("config").GetProperty("parameters").GetProperty("api_secret").ValueKind);
        var request = collector.Events.Single();
        Assert.Equal("/g4/mp/collect?measurement_id=G-ABC123&api_secret=s3cr3t", request.PathAndQuery);
        Assert.Equal("phone", JsonNode.Parse(request.Body)!["events"]![0]!["params"]!["event_category"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failing_collector_is_retried_like_any_callback()
    {
        await using var collector = await Receiver.StartAsync();
        await using var hub = await TestHub.StartAsync(null, $"--Applications:GoogleAnalytics:Endpoint={Base(collector)}", "--Delivery:RetrySchedule=50ms,50ms");
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, """{"config": {"application": "google-analytics", "parameters": {"tracking_id": "UA-1-1"}}}""", "call");
        var calls = 0;
        collector.Answer = _ => (Interlocked.Increment(ref calls) == 1 ? 500 : 200, null);

        await IngestAsync(producer, ActivityOf(Call));
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 1);

        Assert.Equal([500, 200], (await AttemptsAsync(hub)).Select(a => a.StatusCode));
    }

    private static string Base(Receiver receiver) => receiver.Url[..^"/hook".Length];
}
