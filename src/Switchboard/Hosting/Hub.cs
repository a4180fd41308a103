using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Switchboard.Api;
using Switchboard.Dashboard;
using Switchboard.Delivery;
using Switchboard.Ingest;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Hosting;

/// <summary>
/// Builds and starts the hub: configuration, storage, the API. <c>switchboard serve</c> and the
/// tests start it the same way, so the tests exercise what users run.
/// </summary>
internal static partial class Hub
{
    public static WebApplication Build(HubSettings settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        // Later sources win: appsettings.json < SWITCHBOARD_Section__Key < --Section:Key=value.
        builder.Configuration.AddEnvironmentVariables("SWITCHBOARD_");
        builder.Configuration.AddCommandLine([.. settings.ConfigurationArgs]);
        builder.WebHost.UseUrls(settings.Urls);
        // The framework's per-request lines drown the hub's own; its warnings still show.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // The host logs a start-up failure as a stack trace and then throws it to StartAsync's caller, which
        // says it in one line (serve: "cannot listen on …"). A background service's fault is still logged:
        // the host's critical "stopping" entry carries its exception.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        builder.Services.AddSingleton(TimeProvider.System);
        // Made by the container, so that it is disposed with the hub (PostgreSQL: its connections closed).
        var postgres = settings.Postgres ?? builder.Configuration["Storage:Postgres"];
        builder.Services.AddSingleton(_ => HubDatabase.For(settings.DataDirectory, postgres));
        builder.Services.AddSingleton<TokenStore>();
        builder.Services.AddSingleton<RequestLimiter>();
        builder.Services.AddSingleton<CallbackHttp>();
        builder.Services.AddSingleton<CallbackVerifier>();
        builder.Services.AddSingleton<ListenerIndex>();
        builder.Services.AddSingleton<EventUuids>();
        builder.Services.AddSingleton<HubNode>();
        builder.Services.AddSingleton<OutboxQueue>();
        builder.Services.AddSingleton<OrderGate>();
        builder.Services.AddSingleton<DeliveryPolicy>();
        builder.Services.AddSingleton<ClusterLimits>();
        builder.Services.AddSingleton<HttpSender>();
        builder.Services.AddSingleton<DeliveryRandom>();
        builder.Services.AddSingleton<HubMetrics>();
        builder.Services.AddSingleton<ApiErrorReporter>();
        // First, so that it stops last: a node leaves only after its last outcomes are written.
        AddWorker<NodeLease>(builder.Services);
        AddWorker<OutboxWriter>(builder.Services);
        builder.Services.AddHostedService<RetentionWorker>();
        builder.Services.AddHostedService<ClusterSync>();
        AddWorker<DeliveryWorker>(builder.Services);
        AddWorker<ReplayWorker>(builder.Services);
        builder.AddEmailAndApplications();

        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateDataAnnotations()
            .Validate(o => Durations.TryParseList(o.RetrySchedule) is not null, "Delivery:RetrySchedule must be a comma list of durations such as 5s,30s,2m,1h")
            .Validate(o => Durations.TryParse(o.DeactivateAfter, out _), "Delivery:DeactivateAfter must be a duration such as 24h or 30m")
            .ValidateOnStart();
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>, TimeProvider>((kestrel, api, time) =>
        {
            // The web server's own limits (request line, headers, their timeout) for operators who need
            // others; WebApplication binds only endpoints from the Kestrel section.
            builder.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);
            kestrel.Limits.MaxRequestBodySize = api.Value.MaxBodyBytes;
            kestrel.AddServerHeader = false;
            kestrel.ConfigureEndpointDefaults(listen => listen.UseRejectionEnvelope(kestrel.Limits, time));
        });

        builder.AddTelemetry();
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>(StorageHealthCheck.Name, tags: [StorageHealthCheck.Ready]);
        builder.AddApiDocs();
        builder.AddDashboard(settings.DataDirectory);

        var app = builder.Build();
        app.UseRejectionEnvelope();
        app.UseCloseAfterUnreadBodies();
        app.UseApiErrorReports();
        app.UseErrorEnvelope();
        app.MapHealth();
        app.MapIngest();
        app.MapMetrics();
        app.MapApiDocs();
        app.MapUnsubscribe();
        app.MapDashboard();
        app.MapOnBothBases(group =>
        {
            group.MapProfiles();
            group.MapCallbacks();
            group.MapListeners();
            group.MapSubscriptions();
            group.MapFilters();
            group.MapOverview();
            group.MapDeliveries();
        });
        app.MapAccountLevel(Schedules.Base).MapSchedules();
        return app;
    }

    /// <summary>
    /// Migrates the database, creates the first operator token on an empty database (printed
    /// once to <paramref name="console"/>), starts listening and logs where. Returns the first URL.
    /// </summary>
    public static async Task<string> StartAsync(WebApplication app, TextWriter console, CancellationToken cancellationToken)
    {
        var database = app.Services.GetRequiredService<HubDatabase>();
        await using (await database.StartUpAsync(cancellationToken))
        {
            await database.MigrateAsync(cancellationToken);
            var tokens = app.Services.GetRequiredService<TokenStore>();
            if (!await tokens.AnyAsync(cancellationToken))
            {
                var (_, token) = await tokens.CreateAsync(TokenScope.Operator, null, null, cancellationToken);
                await console.WriteLineAsync($"First start: created an operator token. It is shown only this once; keep it:\n\n    {token}\n");
            }
            await app.Services.GetRequiredService<EventUuids>().LoadAsync(database, cancellationToken);
        }
        await app.Services.GetRequiredService<ListenerIndex>().LoadAllAsync(cancellationToken);
        // Before the hub takes requests: what ingest hands over from now on is never also read back.
        await app.Services.GetRequiredService<NodeLease>().JoinAsync(cancellationToken);
        await app.Services.GetRequiredService<OrderGate>().SeedAsync(cancellationToken);
        await app.Services.GetRequiredService<OutboxQueue>().RecoverAsync(cancellationToken);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OptionsValidationException)
        {
            // Stopped, not just disposed: the workers that did start then end as stopped, not as faults logged
            // with their traces. (Invalid settings stop the start before any worker runs.)
            await app.StopAsync(CancellationToken.None);
            throw;
        }
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        LogListening(app.Logger, url, database.Description, url + ApiDocs.PagePath);
        return url;
    }

    /// <summary>A background worker that other services also call (to submit work to it).</summary>
    private static void AddWorker<T>(IServiceCollection services)
        where T : class, IHostedService
    {
        services.AddSingleton<T>();
        services.AddHostedService(provider => provider.GetRequiredService<T>());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Switchboard listening on {Url} with database {Database}; API reference at {DocsUrl}")]
    private static partial void LogListening(ILogger logger, string url, string database, string docsUrl);
}
