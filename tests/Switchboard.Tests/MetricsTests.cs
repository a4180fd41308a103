using System.Globalization;
using System.Net;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary><c>GET /metrics</c>: what the pipeline did, in the Prometheus text format, for the operator only (api.md, Operator and health routes).</summary>
public class MetricsTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private const string CallStep = "inbound-call-to-device/1-1st-leg-new.json";

    [Fact]
    public async Task Metrics_count_activities_events_deliveries_and_attempts_by_result_and_status_class()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=50ms");
        await using var good = await Receiver.StartAsync();
        await using var bad = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, good.Url, [["call"]]);
        await ListenAsync(account, AccountBase, bad.Url, [["call"]]);
        bad.Status = 500;
        var before = await Exposition.ReadAsync(hub.Http);
        Assert.Equal(0, before.Sum("switchboard_activities_ingested_total"));

        await IngestAsync(producer, ActivityOf(CallStep));
        await IngestAsync(producer, ActivityOf("message.json"));
        var after = await WaitForMetricsAsync(hub.Http, m =>
            m.Sum("switchboard_deliveries_total", ("status", "failed")) == 1 && m.Sum("switchboard_deliveries_total", ("status", "delivered")) == 1 && m.Sum("switchboard_events_in_memory") == 0);

        Assert.Equal(2, after.Sum("switchboard_activities_ingested_total"));
        Assert.Equal(2, after.Sum("switchboard_events_created_total"));
        Assert.Equal(0, after.Sum("switchboard_deliveries_total", ("status", "suppressed")));
        Assert.Equal(1, after.Sum("switchboard_attempts_total", ("result", "success"), ("status_class", "2xx")));
        Assert.Equal(2, after.Sum("switchboard_attempts_total", ("result", "failure"), ("status_class", "5xx")));
        Assert.Equal(3, after.Sum("switchboard_attempts_total"));
        Assert.Equal(0, after.Sum("switchboard_events_waiting"));
        Assert.Equal(1, after.Sum("switchboard_listener_index_accounts"));
        // No callback's id on the attempts unless an operator turns it on.
        Assert.DoesNotContain(after.Samples, s => s.Labels.ContainsKey("callback_id"));
    }

    [Fact]
    public async Task Each_hub_of_a_process_shows_only_its_own_figures()
    {
        // OpenTelemetry listens to meters by name across the process; two hubs in one (as here) must not add up.
        await using var other = await TestHub.StartAsync();
        await using var hub = await TestHub.StartAsync();
        using var producer = await hub.ClientAsync(TokenScope.Operator);

        await IngestAsync(producer, ActivityOf(CallStep));
        await WaitForMetricsAsync(hub.Http, m => m.Sum("switchboard_activities_ingested_total") == 1);

        Assert.Equal(0, (await Exposition.ReadAsync(other.Http)).Sum("switchboard_activities_ingested_total"));
    }

    [Fact]
    public async Task A_delivery_is_counted_in_the_ingest_to_delivery_latency_histogram()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        receiver.Delay = TimeSpan.FromMilliseconds(300);

        await IngestAsync(producer, ActivityOf(CallStep));
        var metrics = await WaitForMetricsAsync(hub.Http, m => m.Sum("switchboard_delivery_latency_seconds_count") == 1);

        Assert.Contains("# TYPE switchboard_delivery_latency_seconds histogram", metrics.Text);
        // The receiver took 300 ms to answer, so the delivery took at least that long after its activity was acknowledged.
        Assert.InRange(metrics.Sum("switchboard_delivery_latency_seconds_sum"), 0.3, 20);
        Assert.Equal(0, metrics.Sum("switchboard_delivery_latency_seconds_bucket", ("le", "0.25")));
        Assert.Equal(1, metrics.Sum("switchboard_delivery_latency_seconds_bucket", ("le", "30")));
        Assert.Equal(1, metrics.Sum("switchboard_delivery_latency_seconds_bucket", ("le", "+Inf")));
        // The hub's HTTP client and server are instrumented too; the receiver's address is not a label.
        Assert.Contains(metrics.Samples, s => s.Name.StartsWith("http_client_request_duration_seconds", StringComparison.Ordinal));
        Assert.Contains(metrics.Samples, s => s.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal) && s.Labels.GetValueOrDefault("http_route") == "/v4/ingest");
        Assert.DoesNotContain(metrics.Samples, s => s.Name.StartsWith("http_client_", StringComparison.Ordinal) && s.Labels.ContainsKey("server_address"));
    }

    [Fact]
    public async Task Per_callback_labels_are_there_when_an_operator_turns_them_on()
    {
        await using var hub = await TestHub.StartAsync(null, "--Telemetry:PerCallback=true");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var callbackId = (await ListenAsync(account, AccountBase, receiver.Url, [["call"]])).GetProperty(":callback").GetProperty("id").GetInt64();

        await IngestAsync(producer, ActivityOf(CallStep));
        var metrics = await WaitForMetricsAsync(hub.Http, m => m.Sum("switchboard_attempts_total") == 1);

        Assert.Equal(1, metrics.Sum("switchboard_attempts_total", ("callback_id", callbackId.ToString(CultureInfo.InvariantCulture))));
        Assert.Contains(metrics.Samples, s => s.Name.StartsWith("http_client_", StringComparison.Ordinal) && s.Labels.ContainsKey("server_address"));
    }

    [Fact]
    public async Task An_event_waiting_for_its_retry_shows_as_waiting_and_in_the_sampled_queue_with_its_age()
    {
        await using var hub = await TestHub.StartAsync(null, "--Telemetry:QueueSampleSeconds=1");
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);
        receiver.Status = 500;
        Assert.Equal(0, (await WaitForMetricsAsync(hub.Http, m => m.Samples.Any(s => s.Name == "switchboard_queue_retrying_events"))).Sum("switchboard_queue_retrying_events"));

        await IngestAsync(producer, ActivityOf(CallStep));
        // The default schedule waits 5 s before the second attempt; the queue is read from storage every second.
        var metrics = await WaitForMetricsAsync(hub.Http, m =>
            m.Sum("switchboard_attempts_total", ("result", "failure")) == 1 && m.Sum("switchboard_events_waiting") == 1 && m.Sum("switchboard_queue_retrying_events") == 1
            && m.Sum("switchboard_queue_oldest_pending_age_seconds") > 0);

        Assert.Equal(0, metrics.Sum("switchboard_events_in_memory"));
        Assert.Equal(0, metrics.Sum("switchboard_deliveries_total", ("status", "failed")));
        Assert.Equal(0, metrics.Sum("switchboard_queue_open_activities"));
        Assert.InRange(metrics.Sum("switchboard_queue_oldest_pending_age_seconds"), 0.001, 20);
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
            var declared = new Dictionary<string, string>();
            foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    Assert.Matches("^# TYPE [a-z_]+ (counter|gauge|histogram)$", line);
                    declared.Add(line.Split(' ')[2], line.Split(' ')[3]);
                }
                else if (!line.StartsWith("# HELP ", StringComparison.Ordinal))
                {
                    Assert.Matches(Exposition.SampleLine(), line);
                    var name = Exposition.SampleLine().Match(line).Groups["name"].Value;
                    Assert.True(declared.ContainsKey(name) || declared.GetValueOrDefault(HistogramOf(name)) == "histogram", $"{name} has no # TYPE line");
                }
            }
            Assert.Equal("gauge", declared["switchboard_listener_index_accounts"]);
        }
    }

    private static string HistogramOf(string sample) =>
        sample.EndsWith("_bucket", StringComparison.Ordinal) ? sample[..^7] : sample.EndsWith("_sum", StringComparison.Ordinal) ? sample[..^4] : sample.EndsWith("_count", StringComparison.Ordinal) ? sample[..^6] : sample;

    [Fact]
    public async Task The_hub_shows_its_own_CPU_time_allocations_and_peak_memory_and_they_grow_with_work()
    {
        var hub = shared.Hub;
        var before = await Exposition.ReadAsync(hub.Http);
        for (var i = 0; i < 50; i++)
        {
            await hub.Http.GetAsync("/openapi/v1.json");
        }
        var after = await Exposition.ReadAsync(hub.Http);

        Assert.True(after.Sum("switchboard_process_cpu_seconds_total") > before.Sum("switchboard_process_cpu_seconds_total"));
        Assert.True(after.Sum("switchboard_process_allocated_bytes_total") > before.Sum("switchboard_process_allocated_bytes_total") + 50 * 1024);
        Assert.InRange(after.Sum("switchboard_process_peak_rss_bytes"), Environment.WorkingSet / 4, 64L << 30);
        Assert.True(after.Sum("switchboard_process_peak_rss_bytes") >= before.Sum("switchboard_process_peak_rss_bytes"));
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

    /// <summary>Reads the metrics until <paramref name="done"/> holds (outcomes are counted a moment after the receiver answers); fails after 20 s.</summary>
    private static async Task<Exposition> WaitForMetricsAsync(HttpClient client, Func<Exposition, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var metrics = await Exposition.ReadAsync(client);
            if (done(metrics))
            {
                return metrics;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The metrics did not come to what was expected:\n" + metrics.Text);
            }
            await Task.Delay(20);
        }
    }
}
