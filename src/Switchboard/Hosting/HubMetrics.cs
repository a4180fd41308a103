using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Switchboard.Delivery;

namespace Switchboard.Hosting;

/// <summary>
/// What the pipeline has stored since the process started, as the hub's own instruments
/// (docs/operations.md lists them) and minute by minute for the operator's dashboard. Counted after the
/// commit that makes each thing durable, so they never run ahead of storage.
/// </summary>
internal sealed class HubMetrics
{
    /// <summary>Bucket bounds of the ingest → delivery latency, in seconds: milliseconds when all is well, hours when retries ran.</summary>
    public static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21_600];

    private readonly TimeProvider _clock;
    private readonly bool _perCallback;
    private readonly Counter<long> _activities;
    private readonly Counter<long> _events;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _latency;

    public HubMetrics(TimeProvider clock, IMeterFactory meters, IOptions<TelemetryOptions> options)
    {
        _clock = clock;
        _perCallback = options.Value.PerCallback;
        Timeline = new HubTimeline(clock);
        var meter = meters.Create(HubTelemetry.Name);
        _activities = meter.CreateCounter<long>("switchboard.activities.ingested", "{activity}", "Activities stored by ingest since the hub started.");
        _events = meter.CreateCounter<long>("switchboard.events.created", "{event}", "Events rendered for listeners and put in the outbox since the hub started.");
        _deliveries = meter.CreateCounter<long>("switchboard.deliveries", "{event}", "Events that reached an end since the hub started, by status.");
        _attempts = meter.CreateCounter<long>("switchboard.attempts", "{attempt}", "Delivery attempts recorded since the hub started, by result and the class of the receiver's status code.");
        _latency = meter.CreateHistogram<double>(LatencyName, "s", "From an activity's acknowledgement to the recorded delivery of each of its events.");
    }

    public const string LatencyName = "switchboard.delivery.latency";

    /// <summary>The last hour minute by minute, for the operator's dashboard.</summary>
    public HubTimeline Timeline { get; }

    /// <summary>Ingest committed these activities and the events rendered from them.</summary>
    public void Ingested(long activities, long events)
    {
        _activities.Add(activities);
        _events.Add(events);
        Timeline.Ingested(activities);
    }

    /// <summary>An outcome was committed: the attempt it records, and the event's end if it has one.</summary>
    public void Recorded(Outcome outcome)
    {
        if (outcome.Attempt is { } attempt)
        {
            var result = new KeyValuePair<string, object?>("result", attempt.Success ? "success" : "failure");
            var statusClass = new KeyValuePair<string, object?>("status_class", StatusClass(attempt.StatusCode));
            if (_perCallback)
            {
                _attempts.Add(1, result, statusClass, new KeyValuePair<string, object?>("callback_id", outcome.AttemptCallbackId));
            }
            else
            {
                _attempts.Add(1, result, statusClass);
            }
        }
        switch (outcome.Status)
        {
            case EventStatus.Delivered:
                var latencyMs = Math.Max(0, _clock.GetUtcNow().ToUnixTimeMilliseconds() - outcome.Event.Activity.CreatedAt);
                _latency.Record(latencyMs / 1000.0);
                Timeline.Delivered(latencyMs);
                break;
            case EventStatus.Failed:
                Timeline.Failed();
                break;
        }
        if (outcome.Status != EventStatus.Pending)
        {
            _deliveries.Add(1, new KeyValuePair<string, object?>("status", outcome.Status));
        }
    }

    /// <summary>2xx to 5xx from an HTTP status (or an SMTP reply, whose classes read alike); none when nothing answered.</summary>
    private static string StatusClass(int? status) => status switch
    {
        >= 200 and < 300 => "2xx",
        >= 300 and < 400 => "3xx",
        >= 400 and < 500 => "4xx",
        >= 500 and < 600 => "5xx",
        null => "none",
        _ => "other",
    };
}
