using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary><c>GET /metrics</c>: what the pipeline did, in the Prometheus text format, for the operator only (api.md, Operator and health routes).</summary>
public partial class MetricsTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private const string CallStep = "inbound-call-to-device/1-1st-leg-new.json";

    [Fact]
    public async Task Metrics_count_activities_events_deliveries_and_attempts()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=50ms");
        await using var good = await Receiver.StartAsync();
        await using var bad = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, good.Url, [["call"]]);
        await ListenAsync(account, AccountBase, bad.Url, [["call"]]);
        bad.Status = 500;
        var before = await MetricsAsync(hub.Http);
        Assert.Equal(0, before["switchboard_activities_ingested_total"]);

        await IngestAsync(producer, ActivityOf(CallStep));
        await IngestAsync(producer, ActivityOf("message.json"));
        var after = await WaitForMetricsAsync(hub.Http, m => m["switchboard_deliveries_total{status=\"failed\"}"] == 1 && m["switchboard_deliveries_total{status=\"delivered\"}"] == 1 && m["switchboard_events_in_memory"] == 0);

        Assert.Equal(2, after["switchboard_activities_ingested_total"]);
        Assert.Equal(2, after["switchboard_events_created_total"]);
        Assert.Equal(1, after["switchboard_deliveries_total{status=\"delivered\"}"]);
        Assert.Equal(0, after["switchboard_deliveries_total{status=\"suppressed\"}"]);
        Assert.Equal(1, after["switchboard_attempts_total{result=\"success\"}"]);
        Assert.Equal(2, after["switchboard_attempts_total{result=\"failure\"}"]);
        Assert.Equal(0, after["switchboard_events_waiting"]);
        Assert.Equal(1, after["switchboard_listener_index_accounts"]);
    }

    [Fact]
    public async Task An_event_waiting_for_its_retry_shows_as_waiting()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        receiver.Status = 500;

        await IngestAsync(producer, ActivityOf(CallStep));
        // The default schedule waits 5 s before the second attempt.
        var metrics = await WaitForMetricsAsync(hub.Http, m => m["switchboard_attempts_total{result=\"failure\"}"] == 1 && m["switchboard_events_waiting"] == 1);

        Assert.Equal(0, metrics["switchboard_events_in_memory"]);
        Assert.Equal(0, metrics["switchboard_deliveries_total{status=\"failed\"}"]);
    }

    [Fact]
    public async Task Metrics_answer_an_operator_token_and_a_loopback_client_without_a_token_in_the_prometheus_format()
    {
        var hub = shared.Hub;
        using var operatorClient = await hub.ClientAsync(TokenScope.Operator);

        foreach (var client in new[] { operatorClient, hub.Http })
        {
            var response = await client.GetAsync("/metrics");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
            var declared = new HashSet<string>();
            foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    Assert.Matches("^# TYPE [a-z_]+ (counter|gauge)$", line);
                    declared.Add(line.Split(' ')[2]);
                }
                else if (!line.StartsWith("# HELP ", StringComparison.Ordinal))
                {
                    Assert.Matches(Sample(), line);
                    Assert.Contains(Sample().Match(line).Groups["name"].Value, declared);
                }
            }
            Assert.Contains("switchboard_listener_index_accounts", declared);
        }
    }

    [Fact]
    public async Task The_hub_shows_its_own_CPU_time_allocations_and_peak_memory_and_they_grow_with_work()
    {
        var hub = shared.Hub;
        var before = await AllMetricsAsync(hub.Http);
        for (var i = 0; i < 50; i++)
        {
            await hub.Http.GetAsync("/openapi/v1.json");
        }
        var after = await AllMetricsAsync(hub.Http);

        Assert.True(after["switchboard_process_cpu_seconds_total"] > before["switchboard_process_cpu_seconds_total"]);
        Assert.True(after["switchboard_process_allocated_bytes_total"] > before["switchboard_process_allocated_bytes_total"] + 50 * 1024);
        Assert.InRange(after["switchboard_process_peak_rss_bytes"], Environment.WorkingSet / 4, 64L << 30);
        Assert.True(after["switchboard_process_peak_rss_bytes"] >= before["switchboard_process_peak_rss_bytes"]);
    }

    [Fact]
    public async Task Metrics_refuse_tokens_other_than_operator_ones()
    {
        var hub = shared.Hub;
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var extension = await hub.ClientAsync(TokenScope.Extension, 1000002, 7777777);
        using var unknown = new HttpClient { BaseAddress = new Uri(hub.Url) };
        unknown.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sb_not-a-token");

        await ErrorAsync(await account.GetAsync("/metrics"), HttpStatusCode.Forbidden);
        await ErrorAsync(await extension.GetAsync("/metrics"), HttpStatusCode.Forbidden);
        await ErrorAsync(await unknown.GetAsync("/metrics"), HttpStatusCode.Unauthorized);
    }

    [GeneratedRegex("""^(?<name>[a-z_]+)(\{[a-z]+="[a-z]+"\})? (?<value>\d+(\.\d+)?)$""")]
    private static partial Regex Sample();

    /// <summary>Every sample of the exposition, by name with its labels.</summary>
    private static async Task<Dictionary<string, double>> AllMetricsAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#'))
            .ToDictionary(line => line[..line.LastIndexOf(' ')], line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>The pipeline's counters and gauges (the process figures, which are not whole numbers, left out).</summary>
    private static async Task<Dictionary<string, long>> MetricsAsync(HttpClient client)
    {
        return (await AllMetricsAsync(client)).Where(m => !m.Key.StartsWith("switchboard_process_", StringComparison.Ordinal)).ToDictionary(m => m.Key, m => (long)m.Value);
    }

    /// <summary>Reads the metrics until <paramref name="done"/> holds (outcomes are counted a moment after the receiver answers); fails after 20 s.</summary>
    private static async Task<Dictionary<string, long>> WaitForMetricsAsync(HttpClient client, Func<Dictionary<string, long>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var metrics = await MetricsAsync(client);
            if (done(metrics))
            {
                return metrics;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The metrics did not come to what was expected: " + string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value}")));
            }
            await Task.Delay(20);
        }
    }
}
