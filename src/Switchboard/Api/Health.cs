using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// What <c>/readyz</c> answers: ready, and for an operator token which node answered and the
/// nodes that share its database (scaling.md, Nodes), with their heartbeats.
/// </summary>
internal sealed record HealthStatus(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Node = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<NodeStatus>? Nodes = null);

internal sealed record NodeStatus(string Id, string Host, string StartedAt, string HeartbeatAt);

/// <summary>
/// <c>GET /healthz</c> (the process is up) and <c>GET /readyz</c> (storage answers); no auth (api.md).
/// They run the checks registered with ASP.NET Core's health checks, tagged <c>live</c> and <c>ready</c>.
/// </summary>
internal static class Health
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", async Task<IResult> (HealthCheckService checks, HttpContext context, CancellationToken cancellationToken) =>
        {
            var report = await checks.CheckHealthAsync(c => c.Tags.Contains("live"), cancellationToken);
            if (report.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy)
            {
                await ApiError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, Problems(report));
                return TypedResults.Empty;
            }
            return TypedResults.Ok(new HealthStatus("ok"));
        }).WithTags("Health").Produces<HealthStatus>().WithErrors(StatusCodes.Status503ServiceUnavailable).WithSummary("The process is up");
        routes.MapGet("/readyz", async Task<IResult> (HealthCheckService checks, HubDatabase database, HubNode node, HttpContext context, CancellationToken cancellationToken) =>
        {
            var report = await checks.CheckHealthAsync(c => c.Tags.Contains(StorageHealthCheck.Ready), cancellationToken);
            if (report.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy)
            {
                await ApiError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, Problems(report));
                return TypedResults.Empty;
            }
            if (context.Request.Headers.Authorization.Count == 0 || await BearerToken.FindAsync(context) is not { Scope: TokenScope.Operator })
            {
                return TypedResults.Ok(new HealthStatus("ready"));
            }
            await using var db = await database.ConnectAsync(cancellationToken);
            var nodes = await NodeTable.ListAsync(db, cancellationToken);
            return TypedResults.Ok(new HealthStatus("ready", node.Id, [.. nodes.Select(n => new NodeStatus(n.Id, n.Host, Iso(n.StartedAt), Iso(n.HeartbeatAt)))]));
        }).WithTags("Health").Produces<HealthStatus>().WithErrors(StatusCodes.Status503ServiceUnavailable).WithSummary("Storage answers; with an operator token, the nodes on this database");
        return routes;
    }

    /// <summary>What failed, in one line: "Storage is not reachable." as before, for each check that did.</summary>
    private static string Problems(HealthReport report) =>
        string.Join(" ", report.Entries.Where(e => e.Value.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy)
            .Select(e => e.Key == StorageHealthCheck.Name ? "Storage is not reachable." : $"{e.Key}: {e.Value.Description}"));

    private static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
