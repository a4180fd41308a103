using System.Net;
using System.Net.Http.Headers;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// scaling.md: several <c>switchboard serve</c> processes on one PostgreSQL database. Run when the
/// tests run on PostgreSQL (SWITCHBOARD_TEST_STORAGE=postgres).
/// </summary>
public class MultiNodeTests
{
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";

    [PostgresFact]
    public async Task A_change_acknowledged_by_one_node_holds_for_the_next_activity_any_node_acknowledges()
    {
        var (dataDirectory, operatorToken, accountToken) = await HubProcess.NewDataAsync();
        // Refreshes in the background far apart, so only the check at ingest can make the test pass.
        string[] settings = ["--Delivery:AllowPrivateNetworks=true", "--Cluster:ConfigRefreshMs=60000"];
        await using var node1 = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), settings);
        await using var node2 = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), settings);
        await using var node3 = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), settings);
        await using var receiver = await Receiver.StartAsync();
        using var account1 = Client(node1.Url, accountToken);
        using var account2 = Client(node2.Url, accountToken);
        using var producer2 = Client(node2.Url, operatorToken);
        using var producer3 = Client(node3.Url, operatorToken);
        // Each node has matched (and so indexed) the account before the change.
        foreach (var producer in new[] { producer2, producer3 })
        {
            await IngestAsync(producer, ActivityOf(Call));
        }

        var listener = (await ListenAsync(account1, AccountBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64();
        await IngestAsync(producer2, ActivityOf(Call));
        await receiver.WaitForEventsAsync(1, TimeSpan.FromSeconds(10));

        await ExpectAsync(await account2.DeleteAsync($"{AccountBase}/listeners/{listener}"), HttpStatusCode.OK);
        await IngestAsync(producer3, ActivityOf(Call));
        await Task.Delay(1500);
        Assert.Single(receiver.Events);

        // /readyz names the node that answered and, for an operator, every node on the database.
        var ready = await ExpectAsync(await producer3.GetAsync("/readyz"), HttpStatusCode.OK);
        var nodes = ready.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()).ToList();
        Assert.Equal(3, nodes.Count);
        Assert.Contains(ready.GetProperty("node").GetString(), nodes);
        using var anonymous = new HttpClient { BaseAddress = new Uri(node3.Url) };
        Assert.False((await ExpectAsync(await anonymous.GetAsync("/readyz"), HttpStatusCode.OK)).TryGetProperty("nodes", out _));
    }

    [PostgresFact]
    public async Task One_idempotency_key_sent_to_two_nodes_at_the_same_moment_is_processed_once()
    {
        var (dataDirectory, operatorToken, accountToken) = await HubProcess.NewDataAsync();
        await using var node1 = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), "--Delivery:AllowPrivateNetworks=true");
        await using var node2 = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), "--Delivery:AllowPrivateNetworks=true");
        await using var receiver = await Receiver.StartAsync();
        using var account = Client(node1.Url, accountToken);
        using var producer1 = Client(node1.Url, operatorToken);
        using var producer2 = Client(node2.Url, operatorToken);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);

        const int Keys = 100;
        var sent = Enumerable.Range(0, Keys).SelectMany(i =>
        {
            var activity = ActivityOf(Call);
            activity["idempotency_key"] = $"platform:{i}";
            return new[] { IngestAsync(producer1, activity), IngestAsync(producer2, activity) };
        });
        var answers = await Task.WhenAll(sent);

        Assert.Equal(Keys, answers.Sum(a => a.GetProperty("accepted").GetInt32()));
        Assert.Equal(Keys, answers.Sum(a => a.GetProperty("duplicates").GetInt32()));
        await receiver.WaitForEventsAsync(Keys, TimeSpan.FromSeconds(20));
        await Task.Delay(1000);
        Assert.Equal(Keys, receiver.Events.Count());
    }

    [PostgresFact]
    public async Task Conflicting_changes_on_two_nodes_at_once_never_both_hold()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
        var accountToken = (await HubProcess.RunAsync("tokens", "create", "--account", "1000002", "--data-dir", dataDirectory)).Trim();
        await using var node1 = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort());
        await using var node2 = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort());
        using var account1 = Client(node1.Url, accountToken);
        using var account2 = Client(node2.Url, accountToken);
        const string Email = """{"config": {"email": "ops@example.org"}}""";

        for (var round = 0; round < 15; round++)
        {
            // A listener created on a callback that the other node deletes at the same moment.
            var callback = await CreateAsync(account1, $"{AccountBase}/callbacks", Email);
            var created = account1.PostAsync($"{AccountBase}/listeners", Json($$"""{"callback_id": {{callback}}}"""));
            var deleted = account2.DeleteAsync($"{AccountBase}/callbacks/{callback}");
            var (listener, deletion) = ((await created).StatusCode, (await deleted).StatusCode);
            Assert.False(listener == HttpStatusCode.Created && deletion == HttpStatusCode.OK, $"round {round}: the listener was created and its callback deleted");
            Assert.Contains(listener, new[] { HttpStatusCode.Created, HttpStatusCode.UnprocessableEntity });

            // Two changes that each alone are fine and together make a fallback loop.
            var a = await CreateAsync(account1, $"{AccountBase}/callbacks", Email);
            var b = await CreateAsync(account1, $"{AccountBase}/callbacks", Email);
            var aToB = account1.PatchAsync($"{AccountBase}/callbacks/{a}", Json($$"""{"fallback_callback_id": {{b}}}"""));
            var bToA = account2.PatchAsync($"{AccountBase}/callbacks/{b}", Json($$"""{"fallback_callback_id": {{a}}}"""));
            var (first, second) = ((await aToB).StatusCode, (await bToA).StatusCode);
            Assert.False(first == HttpStatusCode.OK && second == HttpStatusCode.OK, $"round {round}: both changes held, a loop");
        }
    }

    private static HttpClient Client(string url, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
