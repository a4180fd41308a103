using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Matching;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.MatchingTests;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>HTTP delivery (delivery.md): methods, retries, Retry-After, 410, fallback, rate limit, isolation, SSRF.</summary>
public class DeliveryTests
{
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";

    [Fact]
    public async Task Get_and_delete_callbacks_carry_the_event_in_the_query()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url + "?source=hub", [["call"]], callbackExtra: ", \"method\": \"GET\"");

        await IngestAsync(producer, ActivityOf(Call));
        await receiver.WaitForEventsAsync(1);

        var request = receiver.Events.Single();
        Assert.Equal("GET", request.Method);
        Assert.Equal("", request.Body);
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + request.PathAndQuery).Query);
        Assert.Equal("hub", query["source"]);
        Assert.Equal("call", Parse(query["event"]!).GetProperty("data_type").GetString());
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_until_it_recovers_and_the_event_keeps_its_uuid()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=100ms,100ms,100ms");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        var calls = 0;
        receiver.Answer = _ => (Interlocked.Increment(ref calls) <= 2 ? 500 : 200, null);

        await IngestAsync(producer, ActivityOf(Call));
        await receiver.WaitForEventsAsync(3);
        await WaitForStatusAsync(hub, "delivered", 1);

        Assert.Single(receiver.Events.Select(e => e.Headers["webhook-id"]).Distinct());
        Assert.Equal(3, await AttemptCountAsync(hub));
        await Task.Delay(300);
        Assert.Equal(3, receiver.Events.Count());
    }

    [Fact]
    public async Task Retries_end_as_failed_after_the_schedule_and_a_fallback_takes_over()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=50ms,50ms");
        await using var broken = await Receiver.StartAsync();
        await using var fallback = await Receiver.StartAsync();
        await using var alone = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var fallbackId = await CreateAsync(account, $"{AccountBase}/callbacks", $$$"""{"config": {"url": "{{{fallback.Url}}}"}}""");
        await ListenAsync(account, AccountBase, broken.Url, [["call"]], callbackFields: ", \"fallback_callback_id\": " + fallbackId);
        await ListenAsync(account, AccountBase, alone.Url, [["call"]]);
        broken.Status = 503;
        alone.Status = 500;

        await IngestAsync(producer, ActivityOf(Call));
        await fallback.WaitForEventsAsync(1);
        await WaitForStatusAsync(hub, "failed", 1);

        Assert.Equal(3, broken.Events.Count());
        Assert.Equal(3, alone.Events.Count());
        Assert.Equal(broken.Events.First().Headers["webhook-id"], fallback.Events.Single().Headers["webhook-id"]);
        await WaitForStatusAsync(hub, "delivered", 1);
    }

    [Fact]
    public async Task Retry_after_pushes_the_next_attempt_back()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=50ms,50ms");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        var calls = 0;
        receiver.Answer = _ => Interlocked.Increment(ref calls) == 1 ? (429, new Dictionary<string, string> { ["Retry-After"] = "2" }) : (200, null);

        await IngestAsync(producer, ActivityOf(Call));
        await receiver.WaitForEventsAsync(2, TimeSpan.FromSeconds(10));
        await WaitForStatusAsync(hub, "delivered", 1);

        var times = await AttemptTimesAsync(hub);
        Assert.Equal(2, times.Count);
        Assert.InRange(times[1] - times[0], 1900, 5000);
    }

    [Fact]
    public async Task Gone_disables_the_callback_at_once_records_the_owner_notice_and_tells_the_other_listeners()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=50ms,50ms");
        await using var gone = await Receiver.StartAsync();
        await using var watcher = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var item = await ListenAsync(account, AccountBase, gone.Url, [["call"]]);
        var callbackId = item.GetProperty(":callback").GetProperty("id").GetInt64();
        var watcherItem = await ListenAsync(account, AccountBase, watcher.Url, [["deactivated-listener-callback"]]);
        gone.Status = 410;

        await IngestAsync(producer, ActivityOf(Call));
        await watcher.WaitForEventsAsync(1);

        Assert.Single(gone.Events);
        var notice = Parse(watcher.Events.Single().Body);
        Assert.Equal("listener-callback", notice.GetProperty("data_type").GetString());
        Assert.Equal(["deactivated-listener-callback"], notice.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(item.GetProperty("id").GetInt64(), notice.GetProperty("data").GetProperty("listener_id").GetInt64());
        Assert.Equal(callbackId, notice.GetProperty("data").GetProperty("callback_id").GetInt64());
        Assert.Contains("410", notice.GetProperty("data").GetProperty("reason").GetString(), StringComparison.Ordinal);
        var callback = await BodyAsync(await account.GetAsync($"{AccountBase}/callbacks/{callbackId}"));
        Assert.False(callback.GetProperty("enabled").GetBoolean());
        Assert.Equal("deactivated", await NotificationKindAsync(hub, callbackId));
        var log = await BodyAsync(await account.GetAsync($"{AccountBase}/listeners/{item.GetProperty("id").GetInt64()}/events"));
        Assert.Equal(("failed", "the callback URL answered 410 Gone"),
            (log.GetProperty("items")[0].GetProperty("status").GetString(), log.GetProperty("items")[0].GetProperty("status_reason").GetString()));

        // Disabled without a fallback: its listener gets nothing more.
        await IngestAsync(producer, ActivityOf(Call));
        await IngestAsync(producer, ActivityOf("message.json"));
        Assert.Equal(2, await EventCountAsync(hub));
        Assert.NotEqual(watcherItem.GetProperty("id").GetInt64(), item.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task A_callback_that_keeps_failing_warns_its_owner_once_then_is_disabled_after_the_window()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=20ms", "--Delivery:DeactivateAfter=0s", "--Delivery:DeactivateAfterExhausted=3");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var item = await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        var callbackId = item.GetProperty(":callback").GetProperty("id").GetInt64();
        receiver.Status = 500;

        for (var i = 1; i <= 3; i++)
        {
            await IngestAsync(producer, ActivityOf(Call));
            await WaitForStatusAsync(hub, "failed", i);
        }

        var callback = await BodyAsync(await account.GetAsync($"{AccountBase}/callbacks/{callbackId}"));
        Assert.False(callback.GetProperty("enabled").GetBoolean());
        Assert.Equal(["failing", "deactivated"], await NotificationKindsAsync(hub, callbackId));
        Assert.Equal(6, receiver.Events.Count());
    }

    [Fact]
    public async Task A_callback_that_recovers_and_fails_again_within_a_day_does_not_warn_its_owner_twice()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=20ms");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var item = await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        var callbackId = item.GetProperty(":callback").GetProperty("id").GetInt64();

        receiver.Status = 500;
        await IngestAsync(producer, ActivityOf(Call));
        await WaitForStatusAsync(hub, "failed", 1);
        Assert.Equal(["failing"], await NotificationKindsAsync(hub, callbackId));

        receiver.Status = 200;
        await IngestAsync(producer, ActivityOf(Call));
        await WaitForStatusAsync(hub, "delivered", 1);

        receiver.Status = 500;
        await IngestAsync(producer, ActivityOf(Call));
        await WaitForStatusAsync(hub, "failed", 2);
        // The second failing spell starts within 24 h of the first warning: no second warning.
        Assert.Equal(["failing"], await NotificationKindsAsync(hub, callbackId));
    }

    [Fact]
    public async Task Events_over_the_rate_limit_are_suppressed_not_sent()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var item = await ListenAsync(account, AccountBase, receiver.Url, [["call"]], callbackExtra: ", \"rate-limit\": {\"number\": 3, \"period\": 3600}");

        var batch = await IngestBatchAsync(producer, Enumerable.Range(0, 5).Select(_ => ActivityOf(Call)));
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        await WaitForStatusAsync(hub, "suppressed", 2);
        await WaitForStatusAsync(hub, "delivered", 3);

        Assert.Equal(3, receiver.Events.Count());
        // The delivery log says why, though no attempt was made.
        var suppressed = await BodyAsync(await account.GetAsync($"{AccountBase}/listeners/{item.GetProperty("id").GetInt64()}/events?filters[status]=suppressed"));
        Assert.Equal(["rate limit of 3 events per 3600 s reached", "rate limit of 3 events per 3600 s reached"],
            suppressed.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("status_reason").GetString()));
    }

    private const string ThreePerHour = ", \"rate-limit\": {\"number\": 3, \"period\": 3600}";

    [Fact]
    public async Task A_retried_event_counts_once_against_the_rate_limit()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=200ms");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]], callbackExtra: ThreePerHour);
        var calls = 0;
        receiver.Answer = _ => (Interlocked.Increment(ref calls) == 1 ? 500 : 200, null);

        await ExpectAsync(await IngestBatchAsync(producer, Enumerable.Range(0, 3).Select(_ => ActivityOf(Call))), HttpStatusCode.Accepted);
        await WaitForSettledAsync(hub, 3);

        // delivery.md: the limit counts events, not attempts; the retry of the first is not a fourth.
        Assert.Equal((3, 0), (await EventCountAsync(hub, "delivered"), await EventCountAsync(hub, "suppressed")));
        Assert.Equal(4, receiver.Events.Count());
        await IngestAsync(producer, ActivityOf(Call));
        await WaitForStatusAsync(hub, "suppressed", 1);
    }

    [Fact]
    public async Task Events_held_by_an_open_breaker_count_against_the_rate_limit_once_when_sent()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=1h", "--Delivery:BreakerFailures=1");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]], callbackExtra: ", \"rate-limit\": {\"number\": 5, \"period\": 3600}");
        var calls = 0;
        receiver.Answer = _ => (Interlocked.Increment(ref calls) <= 3 ? 500 : 200, null);

        // Three failures in a row: the breaker is open for 4 s after the third (1 s, doubling).
        await ExpectAsync(await IngestBatchAsync(producer, Enumerable.Range(0, 3).Select(_ => ActivityOf(Call))), HttpStatusCode.Accepted);
        await WaitForAttemptsAsync(hub, 3);
        await ExpectAsync(await IngestBatchAsync(producer, Enumerable.Range(0, 2).Select(_ => ActivityOf(Call))), HttpStatusCode.Accepted);
        await WaitForSettledAsync(hub, 2);

        // The two waited for the breaker without using the limit up, then each took one of the two sends left.
        Assert.Equal((2, 0), (await EventCountAsync(hub, "delivered"), await EventCountAsync(hub, "suppressed")));
        var times = await AttemptTimesAsync(hub);
        Assert.True(times[3] - times[2] >= 3000, $"the breaker held the events only {times[3] - times[2]} ms");
        await IngestAsync(producer, ActivityOf(Call));
        await WaitForStatusAsync(hub, "suppressed", 1);
    }

    [Fact]
    public async Task Events_queued_behind_a_request_in_flight_count_against_the_rate_limit_when_sent()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=1h", "--Delivery:BreakerFailures=1", "--Delivery:MaxInFlightPerCallback=1");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]], callbackExtra: ThreePerHour);
        var calls = 0;
        receiver.Answer = _ => (Interlocked.Increment(ref calls) == 1 ? 500 : 200, null);
        receiver.Delay = TimeSpan.FromMilliseconds(300);

        // The first is in flight while the other two queue behind it; its failure opens the breaker, which holds them.
        await ExpectAsync(await IngestBatchAsync(producer, Enumerable.Range(0, 3).Select(_ => ActivityOf(Call))), HttpStatusCode.Accepted);
        await WaitForSettledAsync(hub, 2);

        Assert.Equal((2, 0), (await EventCountAsync(hub, "delivered"), await EventCountAsync(hub, "suppressed")));
        Assert.Equal(3, receiver.Events.Count());
        await IngestAsync(producer, ActivityOf(Call));
        await WaitForStatusAsync(hub, "suppressed", 1);
    }

    [Fact]
    public async Task A_jitter_seed_makes_the_retry_schedule_reproducible()
    {
        const int seed = 20261125;
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=1h", $"--Delivery:JitterSeed={seed}");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var listener = (await ListenAsync(account, AccountBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64();
        receiver.Status = 500;

        await IngestAsync(producer, ActivityOf(Call));
        await WaitForAttemptsAsync(hub, 1);
        var uuid = (await BodyAsync(await account.GetAsync($"{AccountBase}/listeners/{listener}/events"))).GetProperty("items")[0].GetProperty("uuid").GetString();
        var detail = await BodyAsync(await account.GetAsync($"{AccountBase}/listeners/{listener}/events/{uuid}"));

        // The first draw of the seeded source is this retry's jitter: 1 h ± 20 %.
        var expected = TimeSpan.FromHours(1) * (0.8 + (new Random(seed).NextDouble() * 0.4));
        var wait = DateTimeOffset.Parse(detail.GetProperty("next_attempt_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse(detail.GetProperty("attempts")[0].GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        // Times are kept in whole milliseconds, so the stored wait may fall short of the exact draw by under one.
        Assert.InRange((wait - expected).TotalMilliseconds, -1, 2000);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_does_not_hold_up_another_callback()
    {
        await using var hub = await TestHub.StartAsync();
        await using var stuck = await Receiver.StartAsync();
        await using var healthy = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, stuck.Url, [["call"]]);
        await ListenAsync(account, AccountBase, healthy.Url, [["call"]]);
        stuck.Delay = TimeSpan.FromMinutes(5);

        var batch = await IngestBatchAsync(producer, Enumerable.Range(0, 60).Select(_ => ActivityOf(Call)));
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        await healthy.WaitForEventsAsync(60, TimeSpan.FromSeconds(8));

        // The stuck one holds its own requests in flight (16 by default), no more.
        Assert.InRange(stuck.Events.Count(), 1, 16);
    }

    [Fact]
    public async Task Private_addresses_are_refused_at_delivery_unless_allowed()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:AllowPrivateNetworks=false", "--Delivery:RetrySchedule=50ms");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        // Stored behind the API's back: the API itself refuses this URL (see CallbacksApiTests).
        await using (var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None))
        {
            var config = JsonSerializer.SerializeToElement(new { url = receiver.Url, method = "POST", headers = (object?)null, timeout = (int?)null });
            var callback = await CallbackTable.InsertAsync(db, new Callback(0, 1000002, null, null, "inside", null, true, "HTTP", config), CancellationToken.None);
            await CreateListenerAsync(account, callback.Id);
        }
        await hub.Services.GetRequiredService<ListenerIndex>().ChangedAsync(1000002, CancellationToken.None);

        await IngestAsync(producer, ActivityOf(Call));
        await WaitForStatusAsync(hub, "failed", 1);

        Assert.Empty(receiver.Requests);
        Assert.Contains("refused", await LastErrorAsync(hub), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repeated_idempotency_key_is_acknowledged_but_not_delivered_again()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        var activity = ActivityOf(Call);
        activity["idempotency_key"] = "cc-node-3:42";

        var first = await IngestAsync(producer, activity);
        var again = await IngestAsync(producer, activity);
        var batch = await ExpectAsync(await IngestBatchAsync(producer, [activity, ActivityOf(Call)]), HttpStatusCode.Accepted);
        var otherAccount = (System.Text.Json.Nodes.JsonObject)activity.DeepClone();
        otherAccount["voip_id"] = 2000003;
        var elsewhere = await IngestAsync(producer, otherAccount);

        Assert.Equal((1, 0), (first.GetProperty("accepted").GetInt32(), first.GetProperty("duplicates").GetInt32()));
        Assert.Equal((0, 1), (again.GetProperty("accepted").GetInt32(), again.GetProperty("duplicates").GetInt32()));
        Assert.Equal((1, 1), (batch.GetProperty("accepted").GetInt32(), batch.GetProperty("duplicates").GetInt32()));
        Assert.Equal(1, elsewhere.GetProperty("accepted").GetInt32());
        await receiver.WaitForEventsAsync(2);
        Assert.Equal(2, await EventCountAsync(hub));
    }

    private static async Task CreateListenerAsync(HttpClient account, long callbackId)
    {
        var listener = await CreateAsync(account, $"{AccountBase}/listeners", $$"""{"callback_id": {{callbackId}}}""");
        await CreateAsync(account, $"{AccountBase}/listeners/{listener}/subscriptions", """{":tags": ["call"]}""");
    }

    internal static async Task WaitForStatusAsync(TestHub hub, string status, int count, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (await EventCountAsync(hub, status) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} events became {status}");
            await Task.Delay(25);
        }
    }

    /// <summary>Waits until <paramref name="count"/> events have ended: delivered, failed or suppressed.</summary>
    private static async Task WaitForSettledAsync(TestHub hub, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await EventCountAsync(hub) - await EventCountAsync(hub, "pending") < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} events were settled");
            await Task.Delay(25);
        }
    }

    private static async Task WaitForAttemptsAsync(TestHub hub, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await AttemptCountAsync(hub) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} attempts were recorded");
            await Task.Delay(25);
        }
    }

    private static async Task<long> AttemptCountAsync(TestHub hub) => (await AttemptTimesAsync(hub)).Count;

    private static async Task<List<long>> AttemptTimesAsync(TestHub hub)
    {
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        return await HubConnection.ListAsync(db.Command($"SELECT at FROM ({Outbox.AllAttempts}) logged ORDER BY at, kind, id"), r => r.GetInt64(0), CancellationToken.None);
    }

    private static async Task<string> LastErrorAsync(TestHub hub)
    {
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        return (await HubConnection.ListAsync(db.Command("SELECT error FROM attempts WHERE error IS NOT NULL ORDER BY id DESC"), r => r.GetString(0), CancellationToken.None))[0];
    }

    private static async Task<string?> NotificationKindAsync(TestHub hub, long callbackId) => (await NotificationKindsAsync(hub, callbackId)).SingleOrDefault();

    private static async Task<List<string>> NotificationKindsAsync(TestHub hub, long callbackId)
    {
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        return await HubConnection.ListAsync(db.Command("SELECT kind FROM notifications WHERE callback_id = @id ORDER BY id").With("@id", callbackId), r => r.GetString(0), CancellationToken.None);
    }
}
