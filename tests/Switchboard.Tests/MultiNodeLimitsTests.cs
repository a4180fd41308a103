using System.Net;
using System.Net.Http.Headers;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// scaling.md, "Limits are global": a callback's rate limit and in-flight cap hold for the callback
/// across nodes, owner notices are sent once, and a change on one node reaches delivery on another
/// at once. Three or two <c>switchboard serve</c> processes on one PostgreSQL database.
/// </summary>
public class MultiNodeLimitsTests
{
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";

    [PostgresFact]
    public async Task A_rate_limit_of_5_per_hour_delivers_exactly_5_when_activities_arrive_at_all_three_nodes()
    {
        var (operatorToken, accountToken, dataDirectory) = await TokensAsync();
        await using var receiver = await Receiver.StartAsync();
        var nodes = await StartNodesAsync(dataDirectory, 3, "--Delivery:AllowPrivateNetworks=true");
        await using var node1 = nodes[0];
        await using var node2 = nodes[1];
        await using var node3 = nodes[2];
        using var account = Client(node1.Url, accountToken);
        var listener = (await ListenAsync(account, AccountBase, receiver.Url, [["call"]], callbackExtra: ", \"rate-limit\": {\"number\": 5, \"period\": 3600}")).GetProperty("id").GetInt64();

        // Ten activities at each node at once, in batches so that each node has several events in hand together.
        var producers = nodes.Select(n => Client(n.Url, operatorToken)).ToList();
        var sent = producers.SelectMany(p => Enumerable.Range(0, 5).Select(_ => IngestBatchAsync(p, [ActivityOf(Call), ActivityOf(Call)])));
        foreach (var answer in await Task.WhenAll(sent))
        {
            await ExpectAsync(answer, HttpStatusCode.Accepted);
        }

        await WaitForStatusAsync(account, listener, "suppressed", 25);
        await Task.Delay(1000);
        Assert.Equal(5, receiver.Events.Count());
        Assert.Equal(5, await CountAsync(account, listener, "delivered"));
        producers.ForEach(p => p.Dispose());
    }

    [PostgresFact]
    public async Task A_callbacks_in_flight_cap_holds_across_nodes()
    {
        var (operatorToken, accountToken, dataDirectory) = await TokensAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Delay = TimeSpan.FromMilliseconds(200);
        // A short lease: each node counts the others at its heartbeat, every second here.
        var nodes = await StartNodesAsync(dataDirectory, 3, "--Delivery:AllowPrivateNetworks=true", "--Delivery:MaxInFlightPerCallback=6", "--Cluster:LeaseSeconds=3");
        await using var node1 = nodes[0];
        await using var node2 = nodes[1];
        await using var node3 = nodes[2];
        using var account = Client(node1.Url, accountToken);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        await Task.Delay(2500);

        var producers = nodes.Select(n => Client(n.Url, operatorToken)).ToList();
        var sent = producers.Select(p => IngestBatchAsync(p, Enumerable.Range(0, 30).Select(_ => ActivityOf(Call))));
        foreach (var answer in await Task.WhenAll(sent))
        {
            await ExpectAsync(answer, HttpStatusCode.Accepted);
        }

        await receiver.WaitForEventsAsync(90, TimeSpan.FromSeconds(30));
        // Each node alone would keep six requests in flight: eighteen together.
        Assert.InRange(receiver.MaxInFlight, 2, 6);
        producers.ForEach(p => p.Dispose());
    }

    [PostgresFact]
    public async Task An_owner_notice_is_sent_once_however_many_nodes_send_notices()
    {
        var (operatorToken, accountToken, dataDirectory) = await TokensAsync();
        await using var smtp = await SmtpCapture.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        string[] settings = [.. smtp.HubSettings, "--Email:NotificationInterval=20ms", "--Delivery:AllowPrivateNetworks=true", "--Delivery:RetrySchedule=20ms"];
        var nodes = await StartNodesAsync(dataDirectory, 3, settings);
        await using var node1 = nodes[0];
        await using var node2 = nodes[1];
        await using var node3 = nodes[2];
        using var account = Client(node1.Url, accountToken);
        using var producer = Client(node2.Url, operatorToken);
        var profile = await CreateAsync(account, $"{AccountBase}/profiles", """{"name": "Ops", "support_email": "ops@example.org"}""");
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]], callbackFields: $", \"profile_id\": {profile}");
        receiver.Status = 500;

        await IngestAsync(producer, ActivityOf(Call));

        await smtp.WaitForAsync(1, TimeSpan.FromSeconds(20));
        await Task.Delay(1500);
        Assert.Single(smtp.Messages);
    }

    [PostgresFact]
    public async Task A_callback_changed_on_one_node_is_used_at_once_by_the_node_holding_its_retries()
    {
        var (operatorToken, accountToken, dataDirectory) = await TokensAsync();
        await using var failing = await Receiver.StartAsync();
        await using var fixedReceiver = await Receiver.StartAsync();
        // The background refresh far apart: only the notice from the changing node can tell the other in time.
        string[] settings = ["--Delivery:AllowPrivateNetworks=true", "--Delivery:RetrySchedule=3s", "--Cluster:ConfigRefreshMs=60000"];
        var nodes = await StartNodesAsync(dataDirectory, 2, settings);
        await using var node1 = nodes[0];
        await using var node2 = nodes[1];
        using var account1 = Client(node1.Url, accountToken);
        using var producer2 = Client(node2.Url, operatorToken);
        var callback = (await ListenAsync(account1, AccountBase, failing.Url, [["call"]])).GetProperty(":callback").GetProperty("id").GetInt64();
        failing.Status = 500;

        await IngestAsync(producer2, ActivityOf(Call));
        await failing.WaitForEventsAsync(1, TimeSpan.FromSeconds(10));
        await ExpectAsync(await account1.PatchAsync($"{AccountBase}/callbacks/{callback}", Json($$$"""{"config": {"url": "{{{fixedReceiver.Url}}}"}}""")), HttpStatusCode.OK);

        await fixedReceiver.WaitForEventsAsync(1, TimeSpan.FromSeconds(10));
        Assert.Single(failing.Events);
    }

    private static async Task<(string Operator, string Account, string DataDirectory)> TokensAsync()
    {
        var (dataDirectory, operatorToken, accountToken) = await HubProcess.NewDataAsync();
        return (operatorToken, accountToken, dataDirectory);
    }

    private static async Task<List<HubProcess>> StartNodesAsync(string dataDirectory, int count, params string[] settings)
    {
        var nodes = new List<HubProcess>();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), settings));
        }
        return nodes;
    }

    private static async Task WaitForStatusAsync(HttpClient account, long listener, string status, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await CountAsync(account, listener, status) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} events became {status}");
            await Task.Delay(100);
        }
    }

    private static async Task<int> CountAsync(HttpClient account, long listener, string status) =>
        (await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{listener}/events?filters[status]={status}&limit=500"), HttpStatusCode.OK))
            .GetProperty("items").GetArrayLength();

    private static HttpClient Client(string url, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
