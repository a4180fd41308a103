using Switchboard.Storage;

namespace Switchboard.Api;

internal sealed record HealthStatus(string Status);

/// <summary><c>GET /healthz</c> (the process is up) and <c>GET /readyz</c> (storage answers); no auth (api.md).</summary>
internal static class Health
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("ok"))).WithTags("Health").WithSummary("The process is up");
        routes.MapGet("/readyz", async Task<IResult> (HubDatabase database, HttpContext context, CancellationToken cancellationToken) =>
        {
            if (await database.IsReachableAsync(cancellationToken))
            {
                return TypedResults.Ok(new HealthStatus("ready"));
            }
            await ApiError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Storage is not reachable.");
            return TypedResults.Empty;
        }).WithTags("Health").WithSummary("Storage answers");
        return routes;
    }
}
