using System.Globalization;

namespace Switchboard.Bench;

/// <summary>The hub process's own CPU time, allocations and peak memory, as its <c>/metrics</c> shows them.</summary>
internal sealed record HubFigures(double CpuSeconds, long AllocatedBytes, long PeakRssBytes)
{
    /// <summary>The figures now, or null when the hub does not show them (an older hub).</summary>
    public static async Task<HubFigures?> ReadAsync(HttpClient api, CancellationToken cancellationToken)
    {
        var text = await api.GetStringAsync("/metrics", cancellationToken);
        double? cpu = null;
        long? allocated = null, peak = null;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts.Length != 2)
            {
                continue;
            }
            switch (parts[0])
            {
                case "switchboard_process_cpu_seconds_total":
                    cpu = double.Parse(parts[1], CultureInfo.InvariantCulture);
                    break;
                case "switchboard_process_allocated_bytes_total":
                    allocated = long.Parse(parts[1], CultureInfo.InvariantCulture);
                    break;
                case "switchboard_process_peak_rss_bytes":
                    peak = long.Parse(parts[1], CultureInfo.InvariantCulture);
                    break;
            }
        }
        return cpu is { } c && allocated is { } a && peak is { } p ? new HubFigures(c, a, p) : null;
    }
}
