using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>A listener's delivery log over HTTP: the events rendered for it, their attempts, and redelivery (api.md, Deliveries).</summary>
public class DeliveriesApiTests
{
    private const string CallStep = "inbound-call-to-device/1-1st-leg-new.json";
    private const string IsoMilliseconds = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$";

    [Fact]
    public async Task Delivered_events_are_listed_newest_first_and_each_shows_what_its_receiver_got()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var item = await ListenAsync(account, AccountBase, receiver.Url, [["call"], ["message"]]);
        var events = $"{AccountBase}/listeners/{item.GetProperty("id").GetInt64()}/events";
        var callbackId = item.GetProperty(":callback").GetProperty("id").GetInt64();

        await IngestAsync(producer, ActivityOf(CallStep));
        await IngestAsync(producer, ActivityOf("message.json"));
        await receiver.WaitForEventsAsync(2);
        var list = await WaitForAsync(account, events, l => l.GetProperty("total").GetInt64() == 2 && Statuses(l).All(s => s == "delivered"), "two delivered events");

        var received = receiver.Events.ToDictionary(r => Parse(r.Body).GetProperty("data_type").GetString()!);
        var items = list.GetProperty("items");
        Assert.Equal(["message", "call"], items.EnumerateArray().Select(i => i.GetProperty("data_type").GetString()));
        Assert.Equal(["uuid", "timestamp_ns", "tags", "data_type", "data_object_uuid", "status", "attempts", "last_attempt_at", "callback_id", "status_reason"],
            items[0].EnumerateObject().Select(p => p.Name));
        foreach (var listed in items.EnumerateArray())
        {
            var request = received[listed.GetProperty("data_type").GetString()!];
            var sent = Parse(request.Body);
            Assert.Equal(request.Headers["webhook-id"], listed.GetProperty("uuid").GetString());
            Assert.Equal(sent.GetProperty("timestamp_ns").GetInt64(), listed.GetProperty("timestamp_ns").GetInt64());
            Assert.Equal(sent.GetProperty("tags").ToString(), listed.GetProperty("tags").ToString());
            Assert.Equal(sent.GetProperty("data_object_uuid").GetString(), listed.GetProperty("data_object_uuid").GetString());
            Assert.Equal(1, listed.GetProperty("attempts").GetInt32());
            Assert.Matches(IsoMilliseconds, listed.GetProperty("last_attempt_at").GetString());
            Assert.Equal(callbackId, listed.GetProperty("callback_id").GetInt64());
            Assert.Equal(JsonValueKind.Null, listed.GetProperty("status_reason").ValueKind);
        }

        var call = received["call"];
        var detail = await ExpectAsync(await account.GetAsync($"{events}/{call.Headers["webhook-id"]}"), HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(call.Body), JsonNode.Parse(detail.GetProperty("event").GetRawText())),
            $"the event shown is not the event sent:\n{call.Body}\n{detail.GetProperty("event")}");
        Assert.Equal("delivered", detail.GetProperty("status").GetString());
        Assert.Equal(callbackId, detail.GetProperty("callback_id").GetInt64());
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("next_attempt_at").ValueKind);
        var attempt = Assert.Single(detail.GetProperty("attempts").EnumerateArray());
        Assert.Matches(IsoMilliseconds, attempt.GetProperty("at").GetString());
        Assert.Equal(callbackId, attempt.GetProperty("callback_id").GetInt64());
        Assert.Equal(receiver.Url, attempt.GetProperty("url").GetString());
        Assert.Equal(200, attempt.GetProperty("status_code").GetInt32());
        Assert.True(attempt.GetProperty("duration_ms").GetInt32() >= 0);
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task The_list_filters_by_status_and_data_type_and_refuses_other_statuses()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var item = await ListenAsync(account, AccountBase, receiver.Url, [["call"], ["message"]]);
        var events = $"{AccountBase}/listeners/{item.GetProperty("id").GetInt64()}/events";
        await IngestAsync(producer, ActivityOf(CallStep));
        await IngestAsync(producer, ActivityOf("message.json"));
        await WaitForAsync(account, events, l => Statuses(l).Count(s => s == "delivered") == 2, "two delivered events");

        var messages = await ExpectAsync(await account.GetAsync($"{events}?filters[data_type]=message"), HttpStatusCode.OK);
        Assert.Equal(1, messages.GetProperty("total").GetInt64());
        Assert.Equal("message", messages.GetProperty("items")[0].GetProperty("data_type").GetString());
        Assert.Equal("""{"data_type":"message"}""", messages.GetProperty("filters").GetRawText());
        var delivered = await ExpectAsync(await account.GetAsync($"{events}?filters[status]=delivered&limit=1&offset=1"), HttpStatusCode.OK);
        Assert.Equal(2, delivered.GetProperty("total").GetInt64());
        Assert.Equal("call", Assert.Single(delivered.GetProperty("items").EnumerateArray()).GetProperty("data_type").GetString());
        var failedCalls = await ExpectAsync(await account.GetAsync($"{events}?filters[status]=failed&filters[data_type]=call"), HttpStatusCode.OK);
        Assert.Equal(0, failedCalls.GetProperty("total").GetInt64());
        Assert.Empty(failedCalls.GetProperty("items").EnumerateArray());

        Assert.Contains("pending, delivered, failed, suppressed", await FieldErrorAsync(await account.GetAsync($"{events}?filters[status]=lost"), "filters[status]"), StringComparison.Ordinal);
        await FieldErrorAsync(await account.GetAsync($"{events}?filters[callback_id]=1"), "filters[callback_id]");
        await FieldErrorAsync(await account.GetAsync($"{events}?limit=501"), "limit");
    }

    [Fact]
    public async Task Events_are_seen_only_through_a_listener_visible_from_the_base()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var extension = await hub.ClientAsync(TokenScope.Extension, 1000002, 7777777);
        using var other = await hub.ClientAsync(TokenScope.Account, 2000003);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var extensionListener = (await ListenAsync(extension, ExtensionBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64();
        var accountListener = (await ListenAsync(account, AccountBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64();
        var activity = ActivityOf(CallStep);
        activity["extension_ids"] = new JsonArray(7777777);
        await IngestAsync(producer, activity);

        var own = await WaitForAsync(extension, $"{ExtensionBase}/listeners/{extensionListener}/events", l => Statuses(l).SequenceEqual(["delivered"]), "the delivered event");
        var uuid = own.GetProperty("items")[0].GetProperty("uuid").GetString();
        var fromAccount = await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{extensionListener}/events"), HttpStatusCode.OK);
        Assert.Equal(uuid, fromAccount.GetProperty("items")[0].GetProperty("uuid").GetString());
        await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{extensionListener}/events/{uuid}"), HttpStatusCode.OK);
        var accountEvents = await WaitForAsync(account, $"{AccountBase}/listeners/{accountListener}/events", l => Statuses(l).SequenceEqual(["delivered"]), "the delivered event");
        var accountUuid = accountEvents.GetProperty("items")[0].GetProperty("uuid").GetString();
        Assert.NotEqual(uuid, accountUuid);

        var hidden = new (HttpClient Client, string Path, HttpMethod Method)[]
        {
            (extension, $"{ExtensionBase}/listeners/{accountListener}/events", HttpMethod.Get),
            (extension, $"{ExtensionBase}/listeners/{accountListener}/events/{accountUuid}", HttpMethod.Get),
            (extension, $"{ExtensionBase}/listeners/{accountListener}/events/{accountUuid}/redeliver", HttpMethod.Post),
            (account, "/v4/accounts/1000002/extensions/8888888/integrations/events/listeners/" + extensionListener + "/events", HttpMethod.Get),
            (other, $"{OtherAccountBase}/listeners/{extensionListener}/events", HttpMethod.Get),
            (other, $"{OtherAccountBase}/listeners/{accountListener}/events/{accountUuid}", HttpMethod.Get),
            (other, $"{OtherAccountBase}/listeners/{accountListener}/events/{accountUuid}/redeliver", HttpMethod.Post),
            // An event of another listener of the same account, and an event that does not exist.
            (account, $"{AccountBase}/listeners/{accountListener}/events/{uuid}", HttpMethod.Get),
            (account, $"{AccountBase}/listeners/{accountListener}/events/{uuid}/redeliver", HttpMethod.Post),
            (account, $"{AccountBase}/listeners/{accountListener}/events/{Guid.NewGuid()}", HttpMethod.Get),
            (account, $"{AccountBase}/listeners/{accountListener}/events/{Guid.NewGuid()}/redeliver", HttpMethod.Post),
            (account, $"{AccountBase}/listeners/999999/events", HttpMethod.Get),
        };
        foreach (var (client, path, method) in hidden)
        {
            var error = await ErrorAsync(await client.SendAsync(new HttpRequestMessage(method, path)), HttpStatusCode.NotFound);
            Assert.DoesNotContain("pending", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
        }
        // Nothing was queued again by the refused redeliveries.
        Assert.Equal(2, receiver.Events.Count());
        var unchanged = await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{accountListener}/events/{accountUuid}"), HttpStatusCode.OK);
        Assert.Single(unchanged.GetProperty("attempts").EnumerateArray());
        Assert.Equal("delivered", unchanged.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_refused_event_fails_after_its_retries_and_a_redelivery_once_the_receiver_recovers_delivers_it()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=50ms");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var item = await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        var events = $"{AccountBase}/listeners/{item.GetProperty("id").GetInt64()}/events";
        receiver.Status = 500;

        await IngestAsync(producer, ActivityOf(CallStep));
        var failed = await WaitForAsync(account, events, l => Statuses(l).SequenceEqual(["failed"]), "the failed event");

        var listed = failed.GetProperty("items")[0];
        var uuid = listed.GetProperty("uuid").GetString();
        Assert.Equal(2, listed.GetProperty("attempts").GetInt32());
        Assert.Equal(1, (await ExpectAsync(await account.GetAsync($"{events}?filters[status]=failed"), HttpStatusCode.OK)).GetProperty("total").GetInt64());
        Assert.Equal(0, (await ExpectAsync(await account.GetAsync($"{events}?filters[status]=pending"), HttpStatusCode.OK)).GetProperty("total").GetInt64());
        var detail = await ExpectAsync(await account.GetAsync($"{events}/{uuid}"), HttpStatusCode.OK);
        Assert.Equal("failed", detail.GetProperty("status").GetString());
        const string reason = "ran out of attempts (2 to this callback); the last one: answered 500 Internal Server Error";
        Assert.Equal(reason, detail.GetProperty("status_reason").GetString());
        Assert.Equal(reason, listed.GetProperty("status_reason").GetString());
        Assert.Equal([500, 500], detail.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status_code").GetInt32()));
        Assert.Equal(listed.GetProperty("last_attempt_at").GetString(), detail.GetProperty("attempts")[1].GetProperty("at").GetString());

        receiver.Status = 200;
        var queued = await ExpectAsync(await account.PostAsync($"{events}/{uuid}/redeliver", null), HttpStatusCode.Accepted);
        Assert.Equal(uuid, queued.GetProperty("uuid").GetString());
        Assert.Equal("pending", queued.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, queued.GetProperty("status_reason").ValueKind);

        var delivered = await WaitForAsync(account, events, l => Statuses(l).SequenceEqual(["delivered"]), "the redelivered event");
        Assert.Equal(3, delivered.GetProperty("items")[0].GetProperty("attempts").GetInt32());
        var after = await ExpectAsync(await account.GetAsync($"{events}/{uuid}"), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, after.GetProperty("status_reason").ValueKind);
        Assert.Equal([500, 500, 200], after.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status_code").GetInt32()));
        Assert.Equal(3, receiver.Events.Count(r => r.Headers["webhook-id"] == uuid));
    }

    [Fact]
    public async Task Redelivering_an_event_that_is_still_pending_is_a_conflict()
    {
        // The default retry schedule keeps a refused event pending for hours.
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var item = await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        var events = $"{AccountBase}/listeners/{item.GetProperty("id").GetInt64()}/events";
        receiver.Status = 500;

        await IngestAsync(producer, ActivityOf(CallStep));
        var waiting = await WaitForAsync(account, events, l => l.GetProperty("items")[0].GetProperty("attempts").GetInt32() == 1, "the first attempt");
        var uuid = waiting.GetProperty("items")[0].GetProperty("uuid").GetString();

        var error = await ErrorAsync(await account.PostAsync($"{events}/{uuid}/redeliver", null), HttpStatusCode.Conflict);
        Assert.Contains("still pending", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
        var detail = await ExpectAsync(await account.GetAsync($"{events}/{uuid}"), HttpStatusCode.OK);
        Assert.Equal("pending", detail.GetProperty("status").GetString());
        Assert.Matches(IsoMilliseconds, detail.GetProperty("next_attempt_at").GetString());
        Assert.Single(receiver.Events);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_delivery_routes()
    {
        await using var hub = await TestHub.StartAsync();

        var document = await ExpectAsync(await hub.Http.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);

        var paths = document.GetProperty("paths");
        foreach (var @base in new[] { "/v4/accounts/{voip_id}/integrations/events", "/v4/accounts/{voip_id}/extensions/{extension_id}/integrations/events" })
        {
            var list = paths.GetProperty($"{@base}/listeners/{{listener_id}}/events").GetProperty("get");
            Assert.False(string.IsNullOrEmpty(list.GetProperty("summary").GetString()));
            Assert.True(list.GetProperty("responses").TryGetProperty("200", out _));
            var one = paths.GetProperty($"{@base}/listeners/{{listener_id}}/events/{{uuid}}").GetProperty("get");
            Assert.Contains("uuid", one.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
            var redeliver = paths.GetProperty($"{@base}/listeners/{{listener_id}}/events/{{uuid}}/redeliver").GetProperty("post");
            Assert.True(redeliver.GetProperty("responses").TryGetProperty("202", out _));
            Assert.True(redeliver.GetProperty("responses").TryGetProperty("409", out _));
            Assert.True(redeliver.GetProperty("responses").TryGetProperty("404", out _));
        }
        var detail = document.GetProperty("components").GetProperty("schemas").GetProperty("EventDeliveryDetail").GetProperty("properties");
        Assert.True(detail.TryGetProperty("event", out _));
        Assert.True(detail.TryGetProperty("attempts", out _));
        Assert.True(paths.GetProperty("/metrics").TryGetProperty("get", out _));
    }

    /// <summary>
    /// The delivery log walks a listener's deliveries rows by primary key, newest first. No index
    /// covers status or data_type on purpose: every outcome sets an event's status, and an index on
    /// it would cost every delivery a second b-tree, while a filtered count reads only the listener's rows.
    /// </summary>
    [SqliteTheory]
    [InlineData("SELECT d.slot, a.tags FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE d.listener_id = 1 ORDER BY d.activity_id DESC LIMIT 25", "PRIMARY KEY")]
    [InlineData("SELECT d.slot, a.tags FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE d.listener_id = 1 AND d.status = 'failed' ORDER BY d.activity_id DESC LIMIT 25", "PRIMARY KEY")]
    [InlineData("SELECT d.slot, a.tags FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE d.listener_id = 1 AND a.data_type = 'call' ORDER BY d.activity_id DESC LIMIT 25", "PRIMARY KEY")]
    [InlineData("SELECT COUNT(*) FROM deliveries d WHERE d.listener_id = 1", "PRIMARY KEY")]
    [InlineData("SELECT COUNT(*) FROM deliveries d WHERE d.listener_id = 1 AND d.status = 'failed'", "PRIMARY KEY")]
    [InlineData("SELECT d.slot FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE d.listener_id = 1 AND d.activity_id = 7", "PRIMARY KEY")]
    [InlineData("SELECT d.slot FROM deliveries d WHERE d.uuid = 'x' AND d.listener_id = 1", null)]
    [InlineData("UPDATE deliveries SET status = 'pending' WHERE listener_id = 1 AND activity_id = 7 AND status <> 'pending'", "PRIMARY KEY")]
    [InlineData("SELECT at FROM attempts WHERE listener_id = 1 AND activity_id = 7 ORDER BY id", "INDEX attempts_by_event")]
    [InlineData("SELECT at, url, status_code, error FROM attempts WHERE callback_id = 3 AND error IS NOT NULL AND at <= 99 ORDER BY id DESC LIMIT 5", "INDEX attempts_by_callback")]
    [InlineData("SELECT activity_id, slot, next_attempt_at FROM deliveries WHERE status = 'pending' AND next_attempt_at IS NOT NULL", "INDEX deliveries_pending")]
    public async Task Delivery_log_queries_search_an_index_instead_of_scanning(string sql, string? index)
    {
        await using var hub = await TestHub.StartAsync();
        var plan = await ListingPerformanceTests.QueryPlanAsync(hub, sql);

        Assert.Contains(plan, step => step.Contains("USING", StringComparison.Ordinal) && (step.Contains("INDEX", StringComparison.Ordinal) || step.Contains("PRIMARY KEY", StringComparison.Ordinal)));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !step.Contains("INDEX", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
        if (index is not null)
        {
            Assert.Contains(plan, step => step.Contains($"{index} (", StringComparison.Ordinal) || step.EndsWith(index, StringComparison.Ordinal));
        }
    }

    private static IEnumerable<string> Statuses(JsonElement list) =>
        list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetString()!);

    /// <summary>GETs <paramref name="url"/> until its answer satisfies <paramref name="done"/> (delivery outcomes are written a moment after the receiver answers); fails after 20 s.</summary>
    internal static async Task<JsonElement> WaitForAsync(HttpClient client, string url, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var body = await ExpectAsync(await client.GetAsync(url), HttpStatusCode.OK);
            if (body.GetProperty("items").GetArrayLength() > 0 && done(body))
            {
                return body;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{url} did not show {what}; it answered {body}");
            }
            await Task.Delay(20);
        }
    }
}
