using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Delivery;
using Switchboard.Hosting;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>The outbox (docs/delivery.md, Durability): back-pressure, derived uuids, retention, and the upgrade from the events table.</summary>
public class OutboxTests
{
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";

    [Fact]
    public async Task When_storage_is_behind_ingest_answers_503_with_Retry_After_and_keeps_nothing_of_that_batch()
    {
        await using var hub = await TestHub.StartAsync(null, "--Ingest:MaxQueuedActivities=1");
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var writer = hub.Services.GetRequiredService<OutboxWriter>();

        // Another writer holds the hub's writes back, as when the disk is slow.
        await using var blocker = await WriteBlocker.OpenAsync(hub.DataDirectory);
        await blocker.HoldAsync();
        var first = producer.PostAsync("/v4/ingest", Json(Uuid(ActivityOf(Call), "first").ToJsonString()));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (writer.QueuedActivities == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the first activity never reached the writer");
            await Task.Delay(10);
        }

        using var refused = await IngestBatchAsync(producer, [Uuid(ActivityOf(Call), "second"), Uuid(ActivityOf(Call), "third")]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("nothing of this batch was accepted", (await Parse(refused)).GetProperty("@error").GetProperty("@message").GetString());

        await blocker.ReleaseAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await first).StatusCode);
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        var stored = await HubConnection.ListAsync(db.Command("SELECT data_object_uuid FROM activities"), r => r.GetString(0), CancellationToken.None);
        Assert.Equal(["first"], stored);
    }

    [Fact]
    public async Task Event_uuids_are_version_7_read_back_to_their_event_and_refused_when_altered()
    {
        var uuids = new EventUuids();
        uuids.UseKey(Enumerable.Range(0, 48).Select(i => (byte)(i * 7)).ToArray());
        var at = DateTimeOffset.Parse("2026-12-02T10:00:00Z").ToUnixTimeMilliseconds();
        var seen = new HashSet<string>();
        foreach (var (activity, slot) in new[] { (1L, 0), (1L, 1), (2L, 0), ((1L << 47) + 5, 65_535) })
        {
            var uuid = uuids.Format(at, new EventKey(activity, slot));
            Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", uuid);
            Assert.True(seen.Add(uuid));
            // Time first, as in any version 7 uuid: they sort by when the activity was acknowledged.
            Assert.StartsWith(at.ToString("x12", System.Globalization.CultureInfo.InvariantCulture)[..8], uuid);
            Assert.True(uuids.TryRead(uuid, out var readAt, out var key));
            Assert.Equal((at, new EventKey(activity, slot)), (readAt, key.Value));
        }

        var one = uuids.Format(at, new EventKey(1, 0));
        // Consecutive activities do not show as a counter: their uuids differ all over after the time.
        var two = uuids.Format(at, new EventKey(2, 0));
        Assert.True(one[14..].Zip(two[14..]).Count(p => p.First != p.Second) >= 10, $"{one} and {two} differ too little");
        var altered = one[..^1] + (one[^1] == '0' ? '1' : '0');
        Assert.False(uuids.TryRead(altered, out _, out _));
        // A version 7 uuid made elsewhere passes the 10-bit check about once in a thousand.
        Assert.True(Enumerable.Range(0, 200).Count(i => uuids.TryRead(Guid.CreateVersion7().ToString(), out _, out _)) <= 3);
        Assert.False(uuids.TryRead("not-a-uuid", out _, out _));

        var other = new EventUuids();
        other.UseKey(Enumerable.Range(0, 48).Select(i => (byte)(i * 11)).ToArray());
        Assert.NotEqual(one, other.Format(at, new EventKey(1, 0)));
    }

    [Fact]
    public async Task A_deleted_listeners_delivery_log_is_removed_in_the_background()
    {
        await using var hub = await TestHub.StartAsync(null, "--Storage:RetentionSweepSeconds=1");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var gone = (await ListenAsync(account, AccountBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64();
        var kept = (await ListenAsync(account, AccountBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64();
        var calls = 0;
        receiver.Answer = _ => (Interlocked.Increment(ref calls) == 1 ? 500 : 200, null);
        await using (var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None))
        {
            await HubConnection.ExecuteAsync(db.Command($"INSERT INTO email_unsubscribes (listener_id, unsubscribed_at) VALUES ({gone}, 1)"), CancellationToken.None);
        }

        await IngestAsync(producer, ActivityOf(Call));
        await IngestAsync(producer, ActivityOf(Call));
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 4);
        Assert.Equal(HttpStatusCode.OK, (await account.DeleteAsync($"{AccountBase}/listeners/{gone}")).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await RowsOfAsync(hub, gone) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the deleted listener's rows are still there");
            await Task.Delay(100);
        }
        Assert.Equal(0, await RowsOfAsync(hub, gone, "attempts"));
        Assert.Equal(2, await RowsOfAsync(hub, kept));
        Assert.Equal(2, (await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{kept}/events"), HttpStatusCode.OK)).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Retention_removes_old_activities_with_their_events_but_never_a_pending_one()
    {
        await using var hub = await TestHub.StartAsync(null, "--Storage:RetentionSweepSeconds=1", "--Storage:RetentionDays=30", "--Delivery:RetrySchedule=1h");
        await using var working = await Receiver.StartAsync();
        await using var broken = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var delivered = (await ListenAsync(account, AccountBase, working.Url, [["call"]])).GetProperty("id").GetInt64();
        await IngestAsync(producer, ActivityOf(Call));
        await working.WaitForEventsAsync(1);
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 1);
        var waiting = (await ListenAsync(account, AccountBase, broken.Url, [["call"]])).GetProperty("id").GetInt64();
        broken.Status = 500;
        await IngestAsync(producer, ActivityOf(Call));
        await broken.WaitForEventsAsync(1);
        await working.WaitForEventsAsync(2);
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 2);

        // 31 days pass for what is stored so far.
        await using (var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None))
        {
            await HubConnection.ExecuteAsync(db.Command("UPDATE activities SET created_at = created_at - 2678400000"), CancellationToken.None);
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await ActivityCountAsync(hub) > 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the old activity was not removed");
            await Task.Delay(100);
        }
        await Task.Delay(1500);

        // The first activity went with its event; the second stays while one of its events is pending.
        Assert.Equal(1, await ActivityCountAsync(hub));
        var log = await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{delivered}/events"), HttpStatusCode.OK);
        Assert.Equal(1, log.GetProperty("total").GetInt64());
        var pending = await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{waiting}/events"), HttpStatusCode.OK);
        Assert.Equal("pending", pending.GetProperty("items")[0].GetProperty("status").GetString());
    }

    [SqliteFact]
    public async Task A_database_from_before_the_rebuilt_outbox_keeps_its_events_uuids_and_attempts_and_delivers_what_was_pending()
    {
        var folder = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
        await using var receiver = await Receiver.StartAsync();
        var database = new SqliteHubDatabase(folder);
        await database.MigrateAsync(CancellationToken.None, upTo: 6);
        const string DeliveredUuid = "0192a000-0000-7000-8000-000000000001";
        const string PendingUuid = "0192a000-0000-7000-8000-000000000002";
        await using (var db = await database.ConnectAsync(CancellationToken.None))
        {
            var data = ActivityOf(Call)["data"]!.ToJsonString();
            await HubConnection.ExecuteAsync(db.Command($$"""
                INSERT INTO callbacks (id, voip_id, extension_id, fallback_callback_id, name, profile_id, enabled, mode, config)
                VALUES (1, 1000002, NULL, NULL, NULL, NULL, 1, 'HTTP', '{"url": "{{receiver.Url}}", "method": "POST"}');
                INSERT INTO listeners (id, voip_id, extension_id, version, callback_id, created_at, expires_at) VALUES (1, 1000002, NULL, '2.0.0', 1, 0, NULL);
                INSERT INTO subscriptions (listener_id, voip_id, tags) VALUES (1, 1000002, '["call"]');
                INSERT INTO activities (id, voip_id, data_type, data_object_uuid, timestamp_ns, tags, data, created_at)
                VALUES (7, 1000002, 'call', 'obj', 1, '["call"]', @data, 1000), (8, 1000002, 'call', 'obj', 2, '["call"]', @data, 1000);
                INSERT INTO events (id, uuid, activity_id, listener_id, voip_id, extension_id, version, callback_id, status, attempts, tries, next_attempt_at, last_attempt_at, created_at, status_reason)
                VALUES (1, '{{DeliveredUuid}}', 7, 1, 1000002, NULL, '2.0.0', 1, 'delivered', 2, 2, 0, 2000, 1000, NULL),
                       (2, '{{PendingUuid}}', 8, 1, 1000002, NULL, '2.0.0', 1, 'pending', 0, 0, 0, NULL, 1000, NULL);
                INSERT INTO attempts (event_id, at, callback_id, url, status_code, duration_ms, error) VALUES (1, 1500, 1, 'http://old', 500, 3, 'HTTP 500'), (1, 2000, 1, 'http://old', 200, 4, NULL);
                """).With("@data", data), CancellationToken.None);
        }
        SqliteConnection.ClearAllPools();

        await using var hub = await TestHub.StartAsync(folder);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);

        await receiver.WaitForEventsAsync(1);
        Assert.Equal(PendingUuid, receiver.Events.Single().Headers["webhook-id"]);
        var old = await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/1/events/{DeliveredUuid}"), HttpStatusCode.OK);
        Assert.Equal("delivered", old.GetProperty("status").GetString());
        Assert.Equal(DeliveredUuid, old.GetProperty("event").GetProperty("uuid").GetString());
        Assert.Equal([500, 200], old.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status_code").GetInt32()));
        var log = await DeliveriesApiTests.WaitForAsync(account, $"{AccountBase}/listeners/1/events", l => l.GetProperty("items").EnumerateArray().All(i => i.GetProperty("status").GetString() == "delivered"), "both delivered");
        Assert.Equal(2, log.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Events_handed_over_before_start_up_recovery_are_delivered_once()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        // The hub's own delivery holds the events in flight, so they stay open in storage.
        receiver.Delay = TimeSpan.FromMinutes(5);
        await IngestAsync(producer, ActivityOf(Call));
        var database = hub.Services.GetRequiredService<HubDatabase>();
        StoredActivity committed;
        await using (var db = await database.ConnectAsync(CancellationToken.None))
        {
            committed = Assert.Single(await OutboxReads.OpenPageAsync(db, hub.Services.GetRequiredService<HubNode>().Id, 0, 10, CancellationToken.None)).Activity;
        }

        // A queue as at start-up: ingest hands the activity over before recovery has run.
        var queue = new OutboxQueue(database, hub.Services.GetRequiredService<HubNode>(), hub.Services.GetRequiredService<EventUuids>(), TimeProvider.System, Options.Create(new DeliveryOptions()));
        queue.Add([committed]);
        await queue.RecoverAsync(CancellationToken.None);

        var handedOut = new List<EventKey>();
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            while (true)
            {
                handedOut.Add((await queue.NextAsync(quiet.Token)).Key);
            }
        }
        catch (OperationCanceledException)
        {
            // Nothing more to hand out.
        }
        Assert.Equal([new EventKey(committed.Id, 0), new EventKey(committed.Id, 1)], handedOut.OrderBy(k => k.Slot));
    }

    private static JsonObject Uuid(JsonObject activity, string uuid)
    {
        activity["data_object_uuid"] = uuid;
        return activity;
    }

    private static async Task<System.Text.Json.JsonElement> Parse(HttpResponseMessage response) => Pipeline.Parse(await response.Content.ReadAsStringAsync());

    private static async Task<long> ActivityCountAsync(TestHub hub)
    {
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        return await HubConnection.Int64Async(db.Command("SELECT COUNT(*) FROM activities"), CancellationToken.None);
    }

    private static async Task<long> RowsOfAsync(TestHub hub, long listenerId, string table = "deliveries")
    {
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        var rows = await HubConnection.Int64Async(db.Command($"SELECT COUNT(*) FROM {table} WHERE listener_id = @id").With("@id", listenerId), CancellationToken.None);
        return table == "deliveries"
            ? rows + await HubConnection.Int64Async(db.Command("SELECT COUNT(*) FROM email_unsubscribes WHERE listener_id = @id").With("@id", listenerId), CancellationToken.None)
            : rows;
    }
}
