using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Switchboard.Delivery;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Hosting;

/// <summary>
/// The hub's gauges (docs/operations.md): what its memory holds, read when metrics are collected,
/// and the queue in storage, read every <c>Telemetry:QueueSampleSeconds</c> — a count over the
/// outbox is too dear to run on every scrape of every node.
/// </summary>
internal sealed partial class HubGauges : BackgroundService
{
    private readonly HubDatabase _database;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _every;
    private readonly ILogger<HubGauges> _logger;
    private QueueDepth? _depth;

    public HubGauges(
        IMeterFactory meters, OutboxQueue queue, OutboxWriter writer, ListenerIndex index, HubDatabase database, TimeProvider clock,
        IOptions<TelemetryOptions> options, ILogger<HubGauges> logger)
    {
        _database = database;
        _clock = clock;
        _every = TimeSpan.FromSeconds(options.Value.QueueSampleSeconds);
        _logger = logger;
        var meter = meters.Create(HubTelemetry.Name);
        meter.CreateObservableGauge("switchboard.events.in_memory", () => (long)queue.InMemory, "{event}", "Events taken for delivery and not yet settled in storage.");
        meter.CreateObservableGauge("switchboard.events.waiting", () => (long)queue.WaitingCount, "{event}", "Events this node holds for a later attempt (retries, fallbacks, breaker pauses).");
        meter.CreateObservableGauge("switchboard.ingest.queued_activities", () => (long)writer.QueuedActivities, "{activity}",
            "Activities waiting for their write turn; ingest answers 503 past Ingest:MaxQueuedActivities.");
        meter.CreateObservableGauge("switchboard.listener_index.accounts", () => (long)index.AccountCount, "{account}", "Accounts in the in-memory listener index.");
        meter.CreateObservableGauge("switchboard.queue.open_activities", () => Sampled(d => d.OpenActivities), "{activity}",
            "Activities in storage with events not yet tried, on every node (sampled).");
        meter.CreateObservableGauge("switchboard.queue.retrying_events", () => Sampled(d => d.RetryingEvents), "{event}",
            "Events in storage waiting for a retry, on every node (sampled).");
        meter.CreateObservableGauge("switchboard.queue.oldest_pending_age", OldestPendingAge, "s",
            "How long ago the oldest activity with an event not yet ended was acknowledged; 0 when none is (sampled).");
        // The hub's own cost, apart from anything beside it on the machine (switchboard bench reads these).
        meter.CreateObservableCounter("switchboard.process.cpu", () => Environment.CpuUsage.TotalTime.TotalSeconds, "s", "CPU time the hub process has used, user and system.");
        meter.CreateObservableCounter("switchboard.process.allocated", () => GC.GetTotalAllocatedBytes(), "By", "Bytes the hub process has allocated on the managed heap.");
        meter.CreateObservableGauge("switchboard.process.peak_rss", PeakRssBytes, "By", "The most memory the hub process has had resident.");
        meter.CreateObservableCounter<long>("switchboard.db.round_trips", () => database.RoundTrips is { } trips ? [new Measurement<long>(trips)] : [],
            "{round_trip}", "Commands (or batches) this node sent to the PostgreSQL server and had answered (PostgreSQL only).");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_every, _clock);
        do
        {
            try
            {
                await using var db = await _database.ConnectAsync(stoppingToken);
                _depth = await QueueDepth.ReadAsync(db, stoppingToken);
            }
            catch (DbException e)
            {
                // The next sample tries again; until then the gauges show nothing rather than an old figure.
                _depth = null;
                LogSampleFailed(_logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private IEnumerable<Measurement<long>> Sampled(Func<QueueDepth, long> figure) => _depth is { } depth ? [new(figure(depth))] : [];

    private IEnumerable<Measurement<double>> OldestPendingAge()
    {
        if (_depth is not { } depth)
        {
            return [];
        }
        var ageMs = depth.OldestOpenAt is { } at ? Math.Max(0, _clock.GetUtcNow().ToUnixTimeMilliseconds() - at) : 0;
        return [new(ageMs / 1000.0)];
    }

    /// <summary>The kernel's high-water mark of resident memory (VmHWM) where there is one, else the runtime's peak working set.</summary>
    private static long PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the queue's depth from storage for the metrics: {Problem}")]
    private static partial void LogSampleFailed(ILogger logger, string problem);
}
