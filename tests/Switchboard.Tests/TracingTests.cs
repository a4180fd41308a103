using System.Collections.Concurrent;
using System.Diagnostics;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>Traces (docs/operations.md): one trace follows an activity from its ingest request through matching to each delivery attempt.</summary>
public class TracingTests
{
    [Fact]
    public async Task The_spans_of_one_activity_run_from_its_ingest_request_through_matching_to_each_delivery_attempt()
    {
        using var producerSource = new ActivitySource("Switchboard.Tests.Producer");
        var traceId = default(ActivityTraceId);
        var spans = new ConcurrentQueue<System.Diagnostics.Activity>();
        // Collected in this process, as an exporter would; spans of other tests' hubs are told apart by their trace.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Switchboard" or "Microsoft.AspNetCore" or "System.Net.Http" or "Switchboard.Tests.Producer",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if (span.TraceId == traceId)
                {
                    spans.Enqueue(span);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var producerSpan = producerSource.CreateActivity("produce", ActivityKind.Producer)!;
        // Traces on without an OTLP endpoint: the hub's tracer provider (and its ASP.NET Core and HttpClient instrumentation) runs as it would with one.
        await using var hub = await TestHub.StartAsync(null, "--Telemetry:Traces=true");
        await using var first = await Receiver.StartAsync();
        await using var second = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, first.Url, [["call"]]);
        await ListenAsync(account, AccountBase, second.Url, [["call"]]);
        second.Status = 500;

        // The producer's own trace: its request carries it, and the hub's spans of this activity join it.
        producerSpan.Start();
        traceId = producerSpan.TraceId;
        await IngestAsync(producer, ActivityOf("inbound-call-to-device/1-1st-leg-new.json"));
        producerSpan.Stop();
        await first.WaitForEventsAsync(1);
        await second.WaitForEventsAsync(1);
        await WaitUntilAsync(
            () => spans.Count(s => s.OperationName == "switchboard.deliver") >= 2 && spans.Count(s => s.Kind == ActivityKind.Client) >= 3,
            () => string.Join(", ", spans.Select(s => $"{s.Source.Name}/{s.OperationName}/{s.Kind}")));

        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem("http.route"), "/v4/ingest"));
        var match = Assert.Single(spans, s => s.OperationName == "switchboard.match");
        var store = Assert.Single(spans, s => s.OperationName == "switchboard.store");
        Assert.Equal(server.SpanId, match.ParentSpanId);
        Assert.Equal(server.SpanId, store.ParentSpanId);
        Assert.Equal(2, match.GetTagItem("switchboard.events"));
        var delivered = spans.Where(s => s.OperationName == "switchboard.deliver").ToList();
        Assert.All(delivered, d => Assert.Equal(server.SpanId, d.ParentSpanId));
        Assert.Contains(delivered, d => d.Status == ActivityStatusCode.Ok && Equals(d.GetTagItem("switchboard.status_code"), 200));
        Assert.Contains(delivered, d => d.Status == ActivityStatusCode.Error && Equals(d.GetTagItem("switchboard.status_code"), 500));
        // Each attempt's HTTP request is a child of its span...
        Assert.Equal(2, spans.Count(s => s.Kind == ActivityKind.Client && delivered.Any(d => d.SpanId == s.ParentSpanId)));
        // ...and carries the trace to the receiver (W3C traceparent), which can join it.
        Assert.All(first.Events.Concat(second.Events), r => Assert.Contains(traceId.ToHexString(), r.Headers["traceparent"], StringComparison.Ordinal));
    }

    private static async Task WaitUntilAsync(Func<bool> done, Func<string> seen)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "The spans did not all end within 20 s; seen: " + seen());
            await Task.Delay(20);
        }
    }
}
