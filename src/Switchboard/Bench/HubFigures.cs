using System.Globalization;

namespace Switchboard.Bench;

/// <summary>
/// The hub process's own CPU time, allocations, peak memory, database round trips (PostgreSQL) and
/// failed attempts, as its <c>/metrics</c> shows them; of several nodes, their sums and the largest peak.
/// </summary>
internal sealed record HubFigures(double CpuSeconds, long AllocatedBytes, long PeakRssBytes, long? RoundTrips = null, long? FailedAttempts = null)
{
    /// <summary>What the nodes did between <paramref name="before"/> and <paramref name="after"/>, or null when one did not show it.</summary>
    public static HubFigures? Between(IReadOnlyList<HubFigures?> before, IReadOnlyList<HubFigures?> after)
    {
        if (before.Any(f => f is null) || after.Any(f => f is null))
        {
            return null;
        }
        var pairs = before.Zip(after, (b, a) => (Before: b!, After: a!)).ToList();
        return new HubFigures(
            pairs.Sum(p => p.After.CpuSeconds - p.Before.CpuSeconds),
            pairs.Sum(p => p.After.AllocatedBytes - p.Before.AllocatedBytes),
            pairs.Max(p => p.After.PeakRssBytes),
            pairs.All(p => p.After.RoundTrips is not null) ? pairs.Sum(p => p.After.RoundTrips!.Value - p.Before.RoundTrips!.Value) : null,
            pairs.All(p => p.After.FailedAttempts is not null) ? pairs.Sum(p => p.After.FailedAttempts!.Value - p.Before.FailedAttempts!.Value) : null);
    }

    /// <summary>The figures now, or null when the hub does not show them (an older hub).</summary>
    public static async Task<HubFigures?> ReadAsync(HttpClient api, CancellationToken cancellationToken)
    {
        var text = await api.GetStringAsync("/metrics", cancellationToken);
        double? cpu = null;
        long? allocated = null, peak = null, roundTrips = null;
        // Failed attempts come by status class; a counter that has not counted yet is not shown at all.
        long failed = 0;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts.Length != 2)
            {
                continue;
            }
            if (parts[0].StartsWith("switchboard_attempts_total{", StringComparison.Ordinal) && parts[0].Contains("result=\"failure\"", StringComparison.Ordinal))
            {
                failed += (long)double.Parse(parts[1], CultureInfo.InvariantCulture);
                continue;
            }
            // A series without labels is written "name{}" by the OpenTelemetry exporter, "name" by others.
            switch (parts[0].EndsWith("{}", StringComparison.Ordinal) ? parts[0][..^2] : parts[0])
            {
                case "switchboard_process_cpu_seconds_total":
                    cpu = double.Parse(parts[1], CultureInfo.InvariantCulture);
                    break;
                case "switchboard_process_allocated_bytes_total":
                    allocated = (long)double.Parse(parts[1], CultureInfo.InvariantCulture);
                    break;
                case "switchboard_process_peak_rss_bytes":
                    peak = (long)double.Parse(parts[1], CultureInfo.InvariantCulture);
                    break;
                case "switchboard_db_round_trips_total":
                    roundTrips = (long)double.Parse(parts[1], CultureInfo.InvariantCulture);
                    break;
            }
        }
        return cpu is { } c && allocated is { } a && peak is { } p ? new HubFigures(c, a, p, roundTrips, failed) : null;
    }
}
