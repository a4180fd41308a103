using System.Net.Http.Headers;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// OTLP export (docs/operations.md): with the standard <c>OTEL_EXPORTER_OTLP_*</c> variables set,
/// <c>serve</c> pushes its metrics, traces and logs to a collector — here a real HTTP server taking OTLP/HTTP.
/// </summary>
public class OtlpExportTests
{
    [Fact]
    public async Task Serve_with_an_OTLP_endpoint_sends_its_metrics_traces_and_logs_to_the_collector()
    {
        var (dataDirectory, operatorToken, accountToken) = await HubProcess.NewDataAsync();
        await using var collector = await Receiver.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        var collectorUrl = collector.Url[..^"/hook".Length];
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collectorUrl,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            // Export within a second, not the default minute.
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        };
        await using var hub = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), environment, "--Delivery:AllowPrivateNetworks=true");
        using var account = Client(hub.Url, accountToken);
        using var producer = Client(hub.Url, operatorToken);
        await ListenAsync(account, AccountBase, receiver.Url, [["call"]]);

        await IngestAsync(producer, ActivityOf("inbound-call-to-device/1-1st-leg-new.json"));
        await receiver.WaitForEventsAsync(1);

        // OTLP/HTTP bodies are protobuf, in which names are plain UTF-8: enough to see what was sent.
        await collector.WaitForAsync(
            requests => requests.Any(r => r.PathAndQuery == "/v1/traces" && r.Body.Contains("switchboard.deliver", StringComparison.Ordinal))
                && requests.Any(r => r.PathAndQuery == "/v1/metrics" && r.Body.Contains("switchboard.delivery.latency", StringComparison.Ordinal))
                && requests.Any(r => r.PathAndQuery == "/v1/logs" && r.Body.Contains("Switchboard listening on", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "traces, metrics and logs by OTLP");
        Assert.All(collector.Requests, r => Assert.Equal("application/x-protobuf", r.Headers["Content-Type"]));
    }

    private static HttpClient Client(string url, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
