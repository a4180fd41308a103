using System.Globalization;
using System.Net;
using System.Text;
using Switchboard.Delivery;
using Switchboard.Hosting;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text exposition format, for an operator token or a
/// client on the same machine without a token (api.md, Operator and health routes).
/// </summary>
internal static class Metrics
{
    public const string Path = "/metrics";
    private const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void MapMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, Get).WithTags("Health").WithErrors(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .WithSummary("Counters and gauges in the Prometheus text format (operator token, or loopback without a token)");
    }

    private static async Task<IResult> Get(HttpContext context, HubMetrics metrics, OutboxQueue queue, OutboxWriter writer, ListenerIndex index, HubDatabase database)
    {
        if (context.Request.Headers.Authorization.Count > 0)
        {
            // A token that was sent is checked even from loopback: a wrong one is a mistake to report.
            var info = await BearerToken.FindAsync(context);
            if (info is null)
            {
                return BearerToken.Refuse(context);
            }
            if (info.Scope != TokenScope.Operator)
            {
                return ApiResults.Error(StatusCodes.Status403Forbidden, "Metrics take an operator token.");
            }
        }
        else if (!IsLoopback(context.Connection.RemoteIpAddress))
        {
            return BearerToken.Refuse(context, "Metrics take an operator token, except from the hub's own machine.");
        }
        return TypedResults.Text(Render(metrics, queue, writer, index, database), ContentType);
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

    private static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static string Render(HubMetrics metrics, OutboxQueue queue, OutboxWriter writer, ListenerIndex index, HubDatabase database)
    {
        var text = new StringBuilder(2048);
        void Family(string name, string type, string help)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }
        void Sample(string name, long value, string labels = "") =>
            text.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Family("switchboard_activities_ingested_total", "counter", "Activities stored by ingest since the hub started.");
        Sample("switchboard_activities_ingested_total", metrics.ActivitiesIngested);
        Family("switchboard_events_created_total", "counter", "Events rendered for listeners and put in the outbox since the hub started.");
        Sample("switchboard_events_created_total", metrics.EventsCreated);
        Family("switchboard_deliveries_total", "counter", "Events that reached an end since the hub started, by status.");
        Sample("switchboard_deliveries_total", metrics.Delivered, "{status=\"delivered\"}");
        Sample("switchboard_deliveries_total", metrics.Failed, "{status=\"failed\"}");
        Sample("switchboard_deliveries_total", metrics.Suppressed, "{status=\"suppressed\"}");
        Family("switchboard_attempts_total", "counter", "Delivery attempts recorded since the hub started, by result.");
        Sample("switchboard_attempts_total", metrics.SuccessfulAttempts, "{result=\"success\"}");
        Sample("switchboard_attempts_total", metrics.FailedAttempts, "{result=\"failure\"}");
        Family("switchboard_events_in_memory", "gauge", "Events taken for delivery and not yet settled in storage.");
        Sample("switchboard_events_in_memory", queue.InMemory);
        Family("switchboard_events_waiting", "gauge", "Events waiting for a later attempt (retries, fallbacks, breaker pauses).");
        Sample("switchboard_events_waiting", queue.WaitingCount);
        Family("switchboard_ingest_queued_activities", "gauge", "Activities waiting for their write turn; ingest answers 503 past Ingest:MaxQueuedActivities.");
        Sample("switchboard_ingest_queued_activities", writer.QueuedActivities);
        Family("switchboard_listener_index_accounts", "gauge", "Accounts in the in-memory listener index.");
        Sample("switchboard_listener_index_accounts", index.AccountCount);
        // The hub's own cost, apart from anything beside it on the machine (switchboard bench reads these).
        Family("switchboard_process_cpu_seconds_total", "counter", "CPU time the hub process has used, user and system.");
        text.Append("switchboard_process_cpu_seconds_total ").Append(Environment.CpuUsage.TotalTime.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)).Append('\n');
        Family("switchboard_process_allocated_bytes_total", "counter", "Bytes the hub process has allocated on the managed heap.");
        Sample("switchboard_process_allocated_bytes_total", GC.GetTotalAllocatedBytes());
        Family("switchboard_process_peak_rss_bytes", "gauge", "The most memory the hub process has had resident.");
        Sample("switchboard_process_peak_rss_bytes", PeakRssBytes());
        if (database.RoundTrips is { } roundTrips)
        {
            Family("switchboard_db_round_trips_total", "counter", "Commands (or batches) this node sent to the PostgreSQL server and had answered.");
            Sample("switchboard_db_round_trips_total", roundTrips);
        }
        return text.ToString();
    }
}
