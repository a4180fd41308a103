using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Switchboard.Hosting;

/// <summary>
/// The hub's metrics and traces on OpenTelemetry (docs/operations.md): its own meter and activity
/// source, ASP.NET Core, HttpClient and Npgsql; scraped at <c>/metrics</c>, and sent by OTLP when
/// the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
internal static class HubTelemetry
{
    /// <summary>The name of the hub's meter and of its activity source.</summary>
    public const string Name = "Switchboard";

    /// <summary>The spans of an activity: its matching and storing at ingest, then each delivery attempt of each of its events.</summary>
    public static readonly System.Diagnostics.ActivitySource Source = new(Name);

    public static void AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<HubGauges>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<HubGauges>());

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("switchboard"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsqlInstrumentation()
                    .AddPrometheusExporter(prometheus =>
                    {
                        // Every scrape sees the figures of that moment, and the names alone tell the series apart.
                        prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                        prometheus.ScopeInfoEnabled = false;
                    });
                ((IDeferredMeterProviderBuilder)metrics).Configure((services, configured) => configured.AddView(
                    View(services.GetRequiredService<IMeterFactory>(), services.GetRequiredService<IOptions<TelemetryOptions>>().Value.PerCallback)));
            });
        // Spans cost an object each; without anywhere to send them they are not made.
        if (otlp || builder.Configuration.GetValue<bool>($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.Traces)}"))
        {
            telemetry.WithTracing(tracing => tracing.AddSource(Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsql());
        }
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }
    }

    /// <summary>The labels HttpClient's instruments keep unless <c>Telemetry:PerCallback</c> is on: not the receiver's address, of which there is one per callback host.</summary>
    private static readonly string[] ClientLabels = ["http.request.method", "http.response.status_code", "error.type", "network.protocol.version", "url.scheme"];

    /// <summary>
    /// OpenTelemetry listens to meters by name, across the process. Where several hubs share one
    /// (the tests run many), each exports only the instruments made by its own meter factory; the
    /// runtime's process-wide meters it keeps. The latency histogram gets buckets from milliseconds
    /// to hours; HttpClient's instruments lose the receiver's address unless per-callback labels are on.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> View(IMeterFactory own, bool perCallback) => instrument =>
        instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own) ? MetricStreamConfiguration.Drop
        : instrument.Name == HubMetrics.LatencyName ? new ExplicitBucketHistogramConfiguration { Boundaries = HubMetrics.LatencyBuckets }
        : instrument.Meter.Name == "System.Net.Http" && !perCallback ? new MetricStreamConfiguration { TagKeys = ClientLabels }
        : null;
}
