using System.Net;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// <c>GET /metrics</c>: the OpenTelemetry Prometheus exporter's scrape, for an operator token or a
/// client on the same machine without a token (api.md, Operator and health routes). The names are in docs/operations.md.
/// </summary>
internal static class Metrics
{
    public const string Path = "/metrics";

    public static void MapMetrics(this IEndpointRouteBuilder routes)
    {
        // The exporter's own pipeline, run by a route of the API so that the access rule and the API document cover it.
        var branch = routes.CreateApplicationBuilder();
        branch.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: _ => true, path: null, configureBranchedPipeline: null, optionsName: null);
        var scrape = branch.Build();
        routes.MapGet(Path, Task<IResult> (HttpContext context) => GetAsync(context, scrape)).WithTags("Health").WithErrors(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .WithSummary("Metrics in the Prometheus text format (operator token, or loopback without a token)")
            .WithDescription("The hub's own instruments (switchboard_*), ASP.NET Core's, HttpClient's and, on PostgreSQL, Npgsql's; docs/operations.md names them.");
    }

    private static async Task<IResult> GetAsync(HttpContext context, RequestDelegate scrape)
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
        await scrape(context);
        return TypedResults.Empty;
    }

    private static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
