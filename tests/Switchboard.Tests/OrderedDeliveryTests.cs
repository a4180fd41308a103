using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// delivery.md, Ordered listeners: one data object's events reach an ordered listener in the order
/// their activities were acknowledged, each only after the one before it ended; other objects are
/// never held back by it. Runs on both backends.
/// </summary>
public class OrderedDeliveryTests
{
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";
    private const string Ordered = ", \"ordered\": true";

    [Fact]
    public async Task A_receiver_failing_at_random_gets_each_calls_events_in_ingest_order_one_at_a_time()
    {
        await using var hub = await TestHub.StartAsync(null, $"--Delivery:RetrySchedule={string.Join(',', Enumerable.Repeat("10ms", 15))}", "--Delivery:BreakerFailures=1000");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]], listenerExtra: Ordered);
        var answered = FailAtRandom(receiver, seed: 20261203);

        const int Calls = 20, Steps = 6;
        var activities = Interleaved(Calls, Steps);
        foreach (var batch in activities.Chunk(40))
        {
            await ExpectAsync(await IngestBatchAsync(producer, batch), HttpStatusCode.Accepted);
        }
        await receiver.WaitForAsync(_ => answered.Count(a => a.Status == 200) >= Calls * Steps, TimeSpan.FromSeconds(60), "every event answered 200");

        AssertEachCallInOrder(answered, Steps);
        Assert.Contains(answered, a => a.Status == 503);
    }

    [Fact]
    public async Task A_call_whose_receiver_keeps_failing_holds_back_only_that_call_and_its_events_say_what_they_wait_for()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=1h", "--Delivery:BreakerFailures=1000");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var listener = (await ListenAsync(account, AccountBase, receiver.Url, [["call"]], listenerExtra: Ordered)).GetProperty("id").GetInt64();
        receiver.Answer = request => (!IsTest(request) && Step(request).Object == CallUuid(0) ? 500 : 200, null);

        await ExpectAsync(await IngestBatchAsync(producer, Interleaved(calls: 5, steps: 3)), HttpStatusCode.Accepted);
        await receiver.WaitForAsync(r => r.Count(q => Step(q).Object != CallUuid(0)) >= 12, TimeSpan.FromSeconds(20), "the other calls' 12 events");
        await Task.Delay(500);

        // The stuck call: its first event tried once (its retry is an hour away), the two after it not at all.
        Assert.Equal([(CallUuid(0), 0L)], receiver.Events.Select(Step).Where(s => s.Object == CallUuid(0)));
        Assert.Equal(12, receiver.Events.Count(r => Step(r).Object != CallUuid(0)));
        var pending = (await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{listener}/events?filters[status]=pending"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().OrderBy(e => e.GetProperty("timestamp_ns").GetInt64()).ToList();
        Assert.Equal(3, pending.Count);
        var first = pending[0].GetProperty("uuid").GetString();
        Assert.Null(pending[0].GetProperty("status_reason").GetString());
        foreach (var waiting in pending.Skip(1))
        {
            Assert.Equal($"waits for event {first} of the same call to be delivered or to end", waiting.GetProperty("status_reason").GetString());
        }
    }

    [Fact]
    public async Task The_order_holds_across_a_restart()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
        await using var receiver = await Receiver.StartAsync();
        var answered = new ConcurrentQueue<(string Object, long Step, int Status)>();
        var failing = true;
        receiver.Answer = request =>
        {
            if (IsTest(request))
            {
                return (200, null);
            }
            var status = Volatile.Read(ref failing) ? 503 : 200;
            var (objectUuid, step) = Step(request);
            answered.Enqueue((objectUuid, step, status));
            return (status, null);
        };
        // The first events' retries come due a second after the restart; the events behind them are read back at once.
        string[] settings = ["--Delivery:RetrySchedule=3s,3s", "--Delivery:BreakerFailures=1000"];
        await using (var hub = await TestHub.StartAsync(dataDirectory, settings))
        {
            using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
            using var producer = await hub.ClientAsync(TokenScope.Operator);
            await ListenAsync(account, AccountBase, receiver.Url, [["call"]], listenerExtra: Ordered);
            await ExpectAsync(await IngestBatchAsync(producer, Interleaved(calls: 4, steps: 4)), HttpStatusCode.Accepted);
            await receiver.WaitForAsync(_ => answered.Count >= 4, TimeSpan.FromSeconds(20), "each call's first attempt");
            await Task.Delay(300);
        }
        Volatile.Write(ref failing, false);
        await using (var again = await TestHub.StartAsync(dataDirectory, settings))
        {
            await receiver.WaitForAsync(_ => answered.Count(a => a.Status == 200) >= 16, TimeSpan.FromSeconds(30), "all 16 events answered 200");
        }

        foreach (var call in answered.GroupBy(a => a.Object))
        {
            Assert.Equal([0L, 1, 2, 3], call.Where(a => a.Status == 200).Select(a => a.Step));
            Assert.Equal([0L, 0], call.Take(2).Select(a => a.Step));
        }
    }

    [Fact]
    public async Task The_order_holds_across_a_kill_9()
    {
        var (dataDirectory, operatorToken, accountToken) = await HubProcess.NewDataAsync();
        await using var receiver = await Receiver.StartAsync();
        var answered = new ConcurrentQueue<(string Object, long Step, int Status)>();
        var failing = true;
        receiver.Answer = request =>
        {
            if (IsTest(request))
            {
                return (200, null);
            }
            var status = Volatile.Read(ref failing) ? 503 : 200;
            var (objectUuid, step) = Step(request);
            answered.Enqueue((objectUuid, step, status));
            return (status, null);
        };
        string[] settings = ["--Delivery:AllowPrivateNetworks=true", "--Delivery:RetrySchedule=3s,3s", "--Delivery:BreakerFailures=1000"];
        await using (var hub = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), settings))
        {
            using var account = Client(hub.Url, accountToken);
            using var producer = Client(hub.Url, operatorToken);
            await ListenAsync(account, AccountBase, receiver.Url, [["call"]], listenerExtra: Ordered);
            await ExpectAsync(await IngestBatchAsync(producer, Interleaved(calls: 4, steps: 4)), HttpStatusCode.Accepted);
            await receiver.WaitForAsync(_ => answered.Count >= 4, TimeSpan.FromSeconds(20), "each call's first attempt");
            await Task.Delay(300);
            await hub.KillAsync();
        }
        Volatile.Write(ref failing, false);
        await using (var again = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), settings))
        {
            await receiver.WaitForAsync(_ => answered.Count(a => a.Status == 200) >= 16, TimeSpan.FromSeconds(30), "all 16 events answered 200");
        }

        AssertEachCallInOrder(answered, steps: 4);
    }

    [PostgresFact]
    public async Task On_two_nodes_each_calls_events_arrive_in_order_though_its_steps_were_acknowledged_by_both()
    {
        var (dataDirectory, operatorToken, accountToken) = await HubProcess.NewDataAsync();
        string[] settings = ["--Delivery:AllowPrivateNetworks=true", $"--Delivery:RetrySchedule={string.Join(',', Enumerable.Repeat("10ms", 15))}", "--Delivery:BreakerFailures=1000"];
        await using var node1 = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), settings);
        await using var node2 = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), settings);
        await using var receiver = await Receiver.StartAsync();
        using var account = Client(node1.Url, accountToken);
        using var producer1 = Client(node1.Url, operatorToken);
        using var producer2 = Client(node2.Url, operatorToken);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]], listenerExtra: Ordered);
        var answered = FailAtRandom(receiver, seed: 20261204);

        // Each step of every call acknowledged by one node, the next step by the other.
        const int Calls = 10, Steps = 6;
        var activities = Interleaved(Calls, Steps);
        for (var step = 0; step < Steps; step++)
        {
            await ExpectAsync(await IngestBatchAsync(step % 2 == 0 ? producer1 : producer2, activities.Skip(step * Calls).Take(Calls)), HttpStatusCode.Accepted);
        }
        await receiver.WaitForAsync(_ => answered.Count(a => a.Status == 200) >= Calls * Steps, TimeSpan.FromSeconds(60), "every event answered 200");

        AssertEachCallInOrder(answered, Steps);
    }

    private static HttpClient Client(string url, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task Ordered_is_a_listener_field_of_create_change_express_create_overview_and_list()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        var express = await ListenAsync(account, AccountBase, receiver.Url, [["call"]], listenerExtra: Ordered);
        Assert.True(express.GetProperty("ordered").GetBoolean());
        var callback = express.GetProperty(":callback").GetProperty("id").GetInt64();

        var plain = await ExpectAsync(await account.PostAsync($"{AccountBase}/listeners", Json($$"""{"callback_id": {{callback}}}""")), HttpStatusCode.Created);
        Assert.False(plain.GetProperty("ordered").GetBoolean());
        var id = plain.GetProperty("id").GetInt64();
        var changed = await ExpectAsync(await account.PatchAsync($"{AccountBase}/listeners/{id}", Json("""{"ordered": true}""")), HttpStatusCode.OK);
        Assert.True(changed.GetProperty("ordered").GetBoolean());
        Assert.True((await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{id}"), HttpStatusCode.OK)).GetProperty("ordered").GetBoolean());
        var listed = await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners"), HttpStatusCode.OK);
        Assert.All(listed.GetProperty("items").EnumerateArray(), l => Assert.True(l.GetProperty("ordered").GetBoolean()));
        var overview = await ExpectAsync(await account.GetAsync($"{AccountBase}/overview"), HttpStatusCode.OK);
        Assert.All(overview.GetProperty("items").EnumerateArray(), l => Assert.True(l.GetProperty("ordered").GetBoolean()));
        // Only true or false; a PATCH without it leaves it alone.
        await FieldErrorAsync(await account.PatchAsync($"{AccountBase}/listeners/{id}", Json("""{"ordered": "yes"}""")), "ordered");
        Assert.True((await ExpectAsync(await account.PatchAsync($"{AccountBase}/listeners/{id}", Json("""{"expires_at": null}""")), HttpStatusCode.OK)).GetProperty("ordered").GetBoolean());
    }

    [Fact]
    public void The_dashboards_new_listener_form_asks_for_an_ordered_listener_only_when_ticked()
    {
        using var ticked = JsonDocument.Parse(Dashboard.CustomerActions.ExpressBody(new Dashboard.NewListenerForm("https://example.org/hook", "", "call", Ordered: true)));
        using var plain = JsonDocument.Parse(Dashboard.CustomerActions.ExpressBody(new Dashboard.NewListenerForm("https://example.org/hook", "", "call")));

        Assert.True(ticked.RootElement.GetProperty("ordered").GetBoolean());
        Assert.False(plain.RootElement.TryGetProperty("ordered", out _));
    }

    /// <summary><paramref name="calls"/> calls of <paramref name="steps"/> activities each, sent step by step across the calls; timestamp_ns carries the step.</summary>
    private static List<JsonObject> Interleaved(int calls, int steps)
    {
        var activities = new List<JsonObject>();
        for (var step = 0; step < steps; step++)
        {
            for (var call = 0; call < calls; call++)
            {
                var activity = ActivityOf(Call);
                activity["data_object_uuid"] = CallUuid(call);
                activity["timestamp_ns"] = step;
                activities.Add(activity);
            }
        }
        return activities;
    }

    /// <summary>Answers 503 to about a third of the events (seeded), 200 to the rest; every answer is noted in order.</summary>
    private static ConcurrentQueue<(string Object, long Step, int Status)> FailAtRandom(Receiver receiver, int seed)
    {
        var random = new Random(seed);
        var answered = new ConcurrentQueue<(string Object, long Step, int Status)>();
        receiver.Answer = request =>
        {
            if (IsTest(request))
            {
                return (200, null);
            }
            int status;
            lock (random)
            {
                status = random.NextDouble() < 0.3 ? 503 : 200;
            }
            var (objectUuid, step) = Step(request);
            answered.Enqueue((objectUuid, step, status));
            return (status, null);
        };
        return answered;
    }

    /// <summary>
    /// Every attempt, failed or not, in the order the receiver saw them: per call a step only after
    /// the one before was answered 200, and every step delivered once.
    /// </summary>
    private static void AssertEachCallInOrder(IEnumerable<(string Object, long Step, int Status)> answered, int steps)
    {
        foreach (var call in answered.GroupBy(a => a.Object))
        {
            var attempts = call.ToList();
            for (var i = 1; i < attempts.Count; i++)
            {
                var (before, now) = (attempts[i - 1], attempts[i]);
                Assert.True(now.Step == before.Step ? before.Status != 200 : now.Step == before.Step + 1 && before.Status == 200,
                    $"{call.Key}: step {now.Step} came after step {before.Step} answered {before.Status}");
            }
            Assert.Equal(Enumerable.Range(0, steps).Select(s => (long)s), attempts.Where(a => a.Status == 200).Select(a => a.Step));
        }
    }

    /// <summary>The test request a callback gets when it is created (api.md, Callbacks).</summary>
    private static bool IsTest(ReceivedRequest request) => request.Headers.TryGetValue("webhook-id", out var id) && id.StartsWith("test_", StringComparison.Ordinal);

    private static string CallUuid(int call) => $"00000000-0000-4000-8000-{call:D12}";

    private static (string Object, long Step) Step(ReceivedRequest request)
    {
        using var body = JsonDocument.Parse(request.Body);
        return (body.RootElement.GetProperty("data_object_uuid").GetString()!, body.RootElement.GetProperty("timestamp_ns").GetInt64());
    }
}
