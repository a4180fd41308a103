using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Switchboard.Delivery;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Hosting;

/// <summary>
/// Where nodes share the database (scaling.md): keeps this node up with what the others decided.
/// It hears their notices (LISTEN/NOTIFY) and acts at once — reloads a changed account, pauses a
/// callback whose breaker opened, stops e-mail to a listener that unsubscribed — and, as the
/// backstop that correctness rests on, reads all three every <c>Cluster:ConfigRefreshMs</c>.
/// Matching does not wait for either: ingest catches up the accounts of its batch itself.
/// </summary>
internal sealed partial class ClusterSync(
    HubDatabase database,
    ListenerIndex index,
    DeliveryWorker delivery,
    EmailUnsubscribes unsubscribes,
    TimeProvider clock,
    IOptions<ClusterOptions> options,
    ILogger<ClusterSync> logger) : BackgroundService
{
    private static readonly TimeSpan ListenAgainAfter = TimeSpan.FromSeconds(1);

    private readonly Channel<string> _heard = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        database.SharedByNodes ? Task.WhenAll(PollAsync(stoppingToken), ListenAsync(stoppingToken), ActAsync(stoppingToken)) : Task.CompletedTask;

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.ConfigRefreshMs));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await index.CatchUpAsync(null, stoppingToken);
                await unsubscribes.CatchUpAsync(stoppingToken);
                List<(long CallbackId, long Until)> paused;
                await using (var db = await database.ConnectAsync(stoppingToken))
                {
                    paused = await CallbackHealthTable.PausedAsync(db, clock.GetUtcNow().ToUnixTimeMilliseconds(), stoppingToken);
                }
                foreach (var (callbackId, until) in paused)
                {
                    delivery.Pause(callbackId, until);
                }
            }
            catch (System.Data.Common.DbException e)
            {
                LogPollFailed(logger, e);
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await database.ListenAsync(notice => _heard.Writer.TryWrite(notice), stoppingToken);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or IOException or TimeoutException)
            {
                // Meanwhile the poll keeps this node up to date, only less quickly.
                LogListenFailed(logger, e);
                await Task.Delay(ListenAgainAfter, clock, stoppingToken);
            }
        }
    }

    private async Task ActAsync(CancellationToken stoppingToken)
    {
        await foreach (var text in _heard.Reader.ReadAllAsync(stoppingToken))
        {
            if (!ClusterNotice.TryParse(text, out var notice))
            {
                continue;
            }
            try
            {
                switch (notice.Kind)
                {
                    case ClusterNoticeKind.Config:
                        await index.CatchUpAsync([notice.Id], stoppingToken);
                        break;
                    case ClusterNoticeKind.Pause:
                        delivery.Pause(notice.Id, notice.Until);
                        break;
                    case ClusterNoticeKind.Unsubscribe:
                        unsubscribes.Heard(notice.Id);
                        break;
                }
            }
            catch (System.Data.Common.DbException e)
            {
                LogPollFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read what other nodes changed from the database; trying again")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped hearing other nodes' notices (LISTEN); listening again, and polling meanwhile")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
