using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Matching;

/// <summary>
/// Where nodes share the database: catches the listener index up with every account another node
/// changed, every <c>Cluster:ConfigRefreshMs</c>, so that delivery (callback URLs, a callback
/// disabled elsewhere) follows too. Matching does not wait for this: ingest catches up the
/// accounts of its batch itself.
/// </summary>
internal sealed partial class ConfigRefreshWorker(HubDatabase database, ListenerIndex index, IOptions<ClusterOptions> options, ILogger<ConfigRefreshWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.SharedByNodes)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.ConfigRefreshMs));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await index.CatchUpAsync(null, stoppingToken);
            }
            catch (System.Data.Common.DbException e)
            {
                LogRefreshFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read configuration changes from the database; trying again")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
