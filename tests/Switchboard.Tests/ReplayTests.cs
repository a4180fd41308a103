using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// delivery.md, Replay; api.md, Deliveries: <c>POST {base}/listeners/{id}/events/replay</c> queues
/// again every event of the listener with a status whose activity was acknowledged in a time range,
/// in the original order, and answers at once with how many.
/// </summary>
public class ReplayTests
{
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";

    [Fact]
    public async Task A_replay_queues_exactly_the_failed_events_of_the_time_range_in_their_order()
    {
        // One request at a time, so that the receiver sees the events in the order they were sent.
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=10ms", "--Delivery:MaxInFlightPerCallback=1", "--Delivery:BreakerFailures=1000");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var listener = (await ListenAsync(account, AccountBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64();
        var failing = true;
        receiver.Answer = request => (Volatile.Read(ref failing) && !IsTest(request) ? 500 : 200, null);

        await ExpectAsync(await IngestBatchAsync(producer, Numbered(0, 4)), HttpStatusCode.Accepted);
        await WaitForCountAsync(account, listener, "failed", 4);
        // A second boundary between the two batches: since is in whole seconds.
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        await Task.Delay(TimeSpan.FromMilliseconds((since * 1000) - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 20));
        await ExpectAsync(await IngestBatchAsync(producer, Numbered(4, 6)), HttpStatusCode.Accepted);
        await WaitForCountAsync(account, listener, "failed", 10);
        Volatile.Write(ref failing, false);
        var before = receiver.Events.Count();

        var answer = await ExpectAsync(await account.PostAsync($"{AccountBase}/listeners/{listener}/events/replay", Json($$"""{"since": {{since}}}""")), HttpStatusCode.Accepted);

        Assert.Equal(6, answer.GetProperty("queued").GetInt64());
        await WaitForCountAsync(account, listener, "delivered", 6);
        await Task.Delay(300);
        Assert.Equal([4L, 5, 6, 7, 8, 9], receiver.Events.Skip(before).Select(Number));
        Assert.Equal(4, await CountAsync(account, listener, "failed"));
        // Nothing of that status left in the range: a second replay queues nothing.
        var again = await ExpectAsync(await account.PostAsync($"{AccountBase}/listeners/{listener}/events/replay", Json($$"""{"since": {{since}}, "status": "failed"}""")), HttpStatusCode.Accepted);
        Assert.Equal(0, again.GetProperty("queued").GetInt64());
        // until is exclusive; delivered events may be replayed too.
        var delivered = await ExpectAsync(await account.PostAsync($"{AccountBase}/listeners/{listener}/events/replay",
            Json($$"""{"since": 0, "until": {{since}}, "status": "delivered"}""")), HttpStatusCode.Accepted);
        Assert.Equal(0, delivered.GetProperty("queued").GetInt64());
    }

    [Fact]
    public async Task A_replay_is_refused_outside_the_listeners_scope_and_for_bad_bodies()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var extension = await hub.ClientAsync(TokenScope.Extension, 1000002, 7777777);
        using var other = await hub.ClientAsync(TokenScope.Account, 2000003);
        var listener = (await ListenAsync(account, AccountBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64();
        var body = """{"since": 0}""";

        await ErrorAsync(await extension.PostAsync($"{ExtensionBase}/listeners/{listener}/events/replay", Json(body)), HttpStatusCode.NotFound);
        await ErrorAsync(await other.PostAsync($"/v4/accounts/2000003/integrations/events/listeners/{listener}/events/replay", Json(body)), HttpStatusCode.NotFound);
        var url = $"{AccountBase}/listeners/{listener}/events/replay";
        Assert.Contains("required", await FieldErrorAsync(await account.PostAsync(url, Json("{}")), "since"));
        Assert.Contains("later than since", await FieldErrorAsync(await account.PostAsync(url, Json("""{"since": 100, "until": 100}""")), "until"));
        await FieldErrorAsync(await account.PostAsync(url, Json("""{"since": 0, "status": "pending"}""")), "status");
        await FieldErrorAsync(await account.PostAsync(url, Json("""{"since": -1}""")), "since");
        await FieldErrorAsync(await account.PostAsync(url, Json("""{"since": 0, "color": "red"}""")), "color");
        await ErrorAsync(await account.PostAsync($"{AccountBase}/listeners/999999/events/replay", Json(body)), HttpStatusCode.NotFound);
    }

    private static IEnumerable<JsonObject> Numbered(int from, int count) => Enumerable.Range(from, count).Select(i =>
    {
        var activity = ActivityOf(Call);
        activity["data_object_uuid"] = $"00000000-0000-4000-8000-{i:D12}";
        activity["timestamp_ns"] = i;
        return activity;
    });

    private static long Number(ReceivedRequest request)
    {
        using var body = JsonDocument.Parse(request.Body);
        return body.RootElement.GetProperty("timestamp_ns").GetInt64();
    }

    private static bool IsTest(ReceivedRequest request) => request.Headers.TryGetValue("webhook-id", out var id) && id.StartsWith("test_", StringComparison.Ordinal);

    private static async Task WaitForCountAsync(HttpClient account, long listener, string status, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await CountAsync(account, listener, status) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} events became {status}");
            await Task.Delay(50);
        }
    }

    private static async Task<int> CountAsync(HttpClient account, long listener, string status) =>
        (await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{listener}/events?filters[status]={status}&limit=500"), HttpStatusCode.OK))
            .GetProperty("items").GetArrayLength();
}
