using Microsoft.Extensions.Diagnostics.HealthChecks;
using Switchboard.Storage;

namespace Switchboard.Hosting;

/// <summary>Storage answers a query: what <c>/readyz</c> asks (api.md, Operator and health routes).</summary>
internal sealed class StorageHealthCheck(HubDatabase database) : IHealthCheck
{
    public const string Name = "storage";

    /// <summary>The tag of the checks <c>/readyz</c> runs; <c>/healthz</c> runs those tagged <c>live</c>, of which there are none yet.</summary>
    public const string Ready = "ready";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await database.IsReachableAsync(cancellationToken)
            ? HealthCheckResult.Healthy($"{database.Description} answers.")
            : HealthCheckResult.Unhealthy($"{database.Description} does not answer.");
}
