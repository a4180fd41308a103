using System.ComponentModel.DataAnnotations;

namespace Switchboard.Hosting;

/// <summary>The management API's limits (section <c>Api</c>).</summary>
internal sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Largest accepted request body; api.md: 64 KiB by default.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Requests per second one API token may make on average before answers are <c>429</c>…</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 50;

    /// <summary>…and how many it may make at once after a quiet spell.</summary>
    [Range(1, 1_000_000)]
    public int RequestBurst { get; set; } = 200;

    /// <summary>Requests without a live token one client address may make per second on average before answers are <c>429</c>…</summary>
    [Range(1, 1_000_000)]
    public int FailedAuthPerSecond { get; set; } = 10;

    /// <summary>…and how many in a row after a quiet spell: room for a client finding out its token was revoked.</summary>
    [Range(1, 1_000_000)]
    public int FailedAuthBurst { get; set; } = 100;
}

/// <summary>How events are delivered (section <c>Delivery</c>).</summary>
internal sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>Let callbacks reach loopback and private addresses: for tests and local development only.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Timeout of a callback request when the callback sets none; api.md: 10 s.</summary>
    [Range(1, 30)]
    public int DefaultTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// The waits before each retry of a failed event (delivery.md, Retries), a comma list of
    /// durations such as <c>5s,30s,2m</c>; one attempt more than the list is long.
    /// </summary>
    public string RetrySchedule { get; set; } = "5s,30s,2m,10m,30m,1h,3h,6h";

    /// <summary>Requests in flight to one callback at most (delivery.md, Concurrency).</summary>
    [Range(1, 1024)]
    public int MaxInFlightPerCallback { get; set; } = 16;

    /// <summary>Events held in memory for delivery at most; the rest wait in storage.</summary>
    [Range(100, 1_000_000)]
    public int MaxEventsInMemory { get; set; } = 20_000;

    /// <summary>A callback is disabled when every attempt to it has failed this long (delivery.md, Deactivation)…</summary>
    public string DeactivateAfter { get; set; } = "24h";

    /// <summary>…and at least this many events ran out of attempts in that time.</summary>
    [Range(1, 1_000_000)]
    public int DeactivateAfterExhausted { get; set; } = 10;

    /// <summary>Failed attempts in a row that open a callback's circuit breaker.</summary>
    [Range(1, 1000)]
    public int BreakerFailures { get; set; } = 5;

    /// <summary>Seeds the retry jitter, so a schedule can be replayed (tests); unset, it is unseeded.</summary>
    public int? JitterSeed { get; set; }
}

/// <summary>The ingest API's limits (section <c>Ingest</c>; ingest.md, Transports).</summary>
internal sealed class IngestOptions
{
    public const string Section = "Ingest";

    [Range(1024, 256 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    [Range(1, 1_000_000)]
    public int MaxLines { get; set; } = 10_000;

    /// <summary>
    /// Activities that may wait for storage at once; beyond it ingest answers 503 with
    /// Retry-After instead of holding ever more in memory (a batch larger than it still goes
    /// through when nothing else waits).
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxQueuedActivities { get; set; } = 50_000;
}

/// <summary>How long the hub keeps what it delivered (section <c>Storage</c>; delivery.md, Retention).</summary>
internal sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Activities, events and attempts older than this many days are removed (never while pending).</summary>
    [Range(1, 36_500)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>How often the removal runs.</summary>
    [Range(1, 86_400)]
    public int RetentionSweepSeconds { get; set; } = 600;
}

/// <summary>Many nodes on one PostgreSQL database (section <c>Cluster</c>; scaling.md).</summary>
internal sealed class ClusterOptions
{
    public const string Section = "Cluster";

    /// <summary>A node whose heartbeat is older than this is gone; the others take over its work.</summary>
    [Range(2, 3600)]
    public int LeaseSeconds { get; set; } = 15;

    /// <summary>How often a node reads which accounts other nodes changed, for delivery to follow (matching checks at ingest anyway).</summary>
    [Range(50, 60_000)]
    public int ConfigRefreshMs { get; set; } = 1000;
}

/// <summary>Metrics and traces (section <c>Telemetry</c>; docs/operations.md). OTLP export follows the standard <c>OTEL_EXPORTER_OTLP_*</c> variables.</summary>
internal sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>
    /// Label delivery attempts with their callback's id. Off by default: a hub with many callbacks
    /// would make a series for each, and a metrics store pays for every series.
    /// </summary>
    public bool PerCallback { get; set; }

    /// <summary>Record traces even without an OTLP endpoint (for a listener in the same process); with one, they always are.</summary>
    public bool Traces { get; set; }

    /// <summary>How often the queue's depth and oldest pending age are read from storage.</summary>
    [Range(1, 3600)]
    public int QueueSampleSeconds { get; set; } = 15;
}
