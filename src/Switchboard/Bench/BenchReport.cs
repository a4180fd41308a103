using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Bench;

/// <summary>The figures of one bench run; <see cref="FinalLine"/> is the line scripts read.</summary>
internal sealed record BenchReport(
    string Hub,
    int Accounts,
    int ListenersPerAccount,
    int Activities,
    double Rate,
    int Batch,
    int Senders,
    double SetupSeconds,
    long Ingested,
    double IngestSeconds,
    double IngestPerS,
    double AckP50Ms,
    double AckP99Ms,
    long Expected,
    long Deliveries,
    double Seconds,
    double DeliveriesPerS,
    double? SteadyDeliveriesPerS,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    int PeakReceiverInFlight,
    int RawConcurrency,
    double RawHttpPerS,
    double RawP50Ms,
    double RawP99Ms,
    double Ratio,
    double RssMb,
    double CpuSeconds,
    double AllocatedMb,
    bool HubIsChild,
    HubFigures? HubProcess,
    string? Problem,
    int DeadCallbacks = 0)
{
    public const double TargetRatio = 0.6;
    public const double TargetHubCpuUs = 40;
    public const double TargetHubRssMb = 250;

    /// <summary>p99 end to end: 25 ms up to 500 activities/s, 50 ms above.</summary>
    public double TargetP99Ms => Rate <= 500 ? 25 : 50;

    public double? HubCpuUsPerDelivery => HubProcess is { } h && Deliveries > 0 ? h.CpuSeconds * 1e6 / Deliveries : null;

    public double? HubAllocBytesPerDelivery => HubProcess is { } h && Deliveries > 0 ? (double)h.AllocatedBytes / Deliveries : null;

    public double? HubPeakRssMb => HubProcess is { } h ? h.PeakRssBytes / (1024.0 * 1024.0) : null;

    /// <summary>Database round trips the hub made (every node), over deliveries: PostgreSQL only.</summary>
    public double? RoundTripsPerDelivery => HubProcess is { RoundTrips: { } trips } && Deliveries > 0 ? (double)trips / Deliveries : null;

    public bool Complete => Problem is null && Deliveries == Expected;

    /// <summary>Deliveries per second to each callback that is alive: what dead ones must not take from them (<c>--dead-callbacks</c>).</summary>
    public double DeliveriesPerSPerLiveCallback => DeliveriesPerS / Math.Max(1, Accounts - DeadCallbacks);

    /// <summary>Failed attempts the hub recorded during the run (those at the dead callbacks, with <c>--dead-callbacks</c>).</summary>
    public long? FailedAttempts => HubProcess?.FailedAttempts;

    /// <summary>The last line of every run, in exactly this form.</summary>
    public string FinalLine => string.Create(CultureInfo.InvariantCulture,
        $"bench: deliveries_per_s={DeliveriesPerS:0} p50_ms={P50Ms:0.0} p99_ms={P99Ms:0.0} raw_http_per_s={RawHttpPerS:0} ratio={Ratio:0.00} rss_mb={RssMb:0} hub_cpu_us_per_delivery={HubCpuUsPerDelivery ?? double.NaN:0.0} hub_alloc_bytes_per_delivery={HubAllocBytesPerDelivery ?? double.NaN:0} hub_peak_rss_mb={HubPeakRssMb ?? double.NaN:0}{(RoundTripsPerDelivery is { } trips ? $" round_trips_per_delivery={trips:0.000}" : "")}");

    public async Task WriteAsync(TextWriter output, bool json)
    {
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(this, BenchJsonContext.Default.BenchReport));
        }
        else
        {
            foreach (var line in SummaryLines())
            {
                await output.WriteLineAsync(line);
            }
        }
        await output.WriteLineAsync(FinalLine);
    }

    private IEnumerable<string> SummaryLines()
    {
        var i = CultureInfo.InvariantCulture;
        var paced = Rate > 0 ? string.Create(i, $"paced at {Rate:N0} activities/s") : "as fast as the hub takes them";
        yield return "switchboard bench";
        yield return $"  hub           {Hub}";
        var senders = Rate > 0 ? string.Create(i, $"each at its time, at most {Senders} unanswered") : string.Create(i, $"from {Senders} senders each waiting for its answer");
        yield return string.Create(i, $"  load          {Accounts:N0} accounts x {ListenersPerAccount:N0} listeners (one callback each, subscribed to [\"call\"]); {Activities:N0} activities, {paced}, NDJSON batches of {Batch:N0} {senders}");
        yield return string.Create(i, $"  setup         {Accounts * (1 + ListenersPerAccount):N0} API requests in {SetupSeconds:0.0} s");
        yield return string.Create(i, $"  ingest        {Ingested:N0} activities acknowledged in {IngestSeconds:0.0} s ({IngestPerS:N0}/s); answered (stored) p50 {AckP50Ms:0.0} ms, p99 {AckP99Ms:0.0} ms after sending");
        var steady = SteadyDeliveriesPerS is { } s ? string.Create(i, $", {s:N0}/s between 10 % and 90 %") : "";
        yield return string.Create(i, $"  deliveries    {Deliveries:N0} of {Expected:N0} in {Seconds:0.0} s from the first ingest: {DeliveriesPerS:N0}/s{steady}");
        if (DeadCallbacks > 0)
        {
            yield return string.Create(i, $"  dead          {DeadCallbacks:N0} of {Accounts:N0} callbacks dead (connections to them time out): {FailedAttempts?.ToString("N0", i) ?? "?"} failed attempts at them; the {Accounts - DeadCallbacks:N0} live ones got {DeliveriesPerSPerLiveCallback:N1} deliveries/s each");
        }
        yield return string.Create(i, $"  latency       ingest sent -> receiver: p50 {P50Ms:0.0} ms, p90 {P90Ms:0.0} ms, p99 {P99Ms:0.0} ms, max {MaxMs:0.0} ms; at most {PeakReceiverInFlight:N0} requests at the receiver at once");
        yield return string.Create(i, $"  raw HTTP      plain HttpClient, {RawConcurrency:N0} requests in flight: {RawHttpPerS:N0}/s (p50 {RawP50Ms:0.0} ms, p99 {RawP99Ms:0.0} ms)");
        yield return string.Create(i, $"  ratio         {Ratio:0.00} (deliveries/s / raw HTTP/s)");
        if (HubProcess is { } hub)
        {
            var where = HubIsChild ? "its own process" : "as its /metrics shows";
            yield return string.Create(i, $"  hub cost      ({where}) {hub.CpuSeconds:0.0} s CPU from the first ingest to the last delivery: {HubCpuUsPerDelivery:0.0} us per delivery, {hub.CpuSeconds / Math.Max(Seconds, 1e-3):0.00} of {Environment.ProcessorCount} cores; {HubAllocBytesPerDelivery:N0} bytes allocated per delivery; peak RSS {HubPeakRssMb:N0} MB");
        }
        else
        {
            yield return "  hub cost      not shown: its /metrics has no switchboard_process_* figures";
        }
        var cpuPerDelivery = Deliveries > 0 ? CpuSeconds * 1e6 / Deliveries : 0;
        yield return string.Create(i, $"  bench         load generator and receiver: {CpuSeconds:0.0} s CPU, {cpuPerDelivery:0} us per delivery; {AllocatedMb * 1024 * 1024 / Math.Max(Deliveries, 1):N0} bytes allocated per delivery; peak RSS {RssMb:N0} MB");
        yield return "  targets       " + string.Join("; ", Targets());
        if (Problem is not null)
        {
            yield return $"  PROBLEM       {Problem}";
        }
    }

    private IEnumerable<string> Targets()
    {
        var i = CultureInfo.InvariantCulture;
        static string Verdict(bool met) => met ? "met" : "MISSED";
        if (Rate > 0)
        {
            yield return string.Create(i, $"p99 <= {TargetP99Ms:0} ms at this rate: {Verdict(P99Ms <= TargetP99Ms)}");
        }
        else
        {
            yield return string.Create(i, $"ratio >= {TargetRatio:0.0}: {Verdict(Ratio >= TargetRatio)}");
            if (HubCpuUsPerDelivery is { } cpu)
            {
                yield return string.Create(i, $"hub CPU <= {TargetHubCpuUs:0} us per delivery: {Verdict(cpu <= TargetHubCpuUs)}");
            }
        }
        if (HubPeakRssMb is { } rss)
        {
            yield return string.Create(i, $"hub peak RSS <= {TargetHubRssMb:0} MB: {Verdict(rss <= TargetHubRssMb)}");
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(string))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
