using System.Text.Json.Serialization;
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

/// <summary><c>GET /healthz</c> (the process is up) and <c>GET /readyz</c> (storage answers); no auth (api.md).</summary>
internal static class Health
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("ok"))).WithTags("Health").WithSummary("The process is up");
        routes.MapGet("/readyz", async Task<IResult> (HubDatabase database, HubNode node, HttpContext context, CancellationToken cancellationToken) =>
        {
            if (!await database.IsReachableAsync(cancellationToken))
            {
                await ApiError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Storage is not reachable.");
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

    private static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
