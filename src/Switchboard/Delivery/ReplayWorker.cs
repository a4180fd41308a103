using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// delivery.md, Replay: works through the bulk replays this node holds, a batch of events at a
/// time, each batch one short write turn, and only while few events wait in the queue, so that a
/// replay of a million events holds up neither live traffic nor memory. A replay survives a
/// restart (it goes on from where it was), and one left by a node that is gone is taken over.
/// </summary>
internal sealed partial class ReplayWorker(
    HubDatabase database, HubNode node, OutboxQueue queue, TimeProvider clock, ILogger<ReplayWorker> logger) : BackgroundService
{
    // A replay adds to the queue only while fewer events than this wait in it.
    private const int MaxWaiting = 20_000;

    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>A replay was just recorded here: start on it now.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Awake already.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                List<ReplayRow> open;
                await using (var db = await database.ConnectAsync(stoppingToken))
                {
                    open = await ReplayTable.OpenAsync(db, node.Id, stoppingToken);
                }
                foreach (var replay in open)
                {
                    await RunAsync(replay, stoppingToken);
                }
            }
            catch (System.Data.Common.DbException e)
            {
                LogFailed(logger, e);
            }
            await _wake.WaitAsync(LookEvery, stoppingToken);
        }
    }

    private async Task RunAsync(ReplayRow replay, CancellationToken stoppingToken)
    {
        var queued = 0L;
        while (true)
        {
            while (queue.WaitingCount >= MaxWaiting)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), clock, stoppingToken);
            }
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            List<ReplayedEvent> batch;
            await using (var turn = await database.WriterTurnAsync(durable: true, stoppingToken))
            {
                await turn.Db.BeginAsync(stoppingToken);
                batch = await ReplayTable.NextBatchAsync(turn.Db, replay, node.Id, now, stoppingToken);
                await turn.Db.CommitAsync(stoppingToken);
            }
            // Committed: the worker reads each back from storage, in this order.
            foreach (var replayed in batch)
            {
                queue.Later(replayed.Key, now);
            }
            queued += batch.Count;
            if (batch.Count < ReplayTable.BatchSize)
            {
                LogDone(logger, replay.Id, replay.ListenerId, queued);
                return;
            }
            replay = replay with { FromActivityId = batch[^1].Key.ActivityId + 1 };
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay {ReplayId} of listener {ListenerId}: queued {Queued} events again")]
    private static partial void LogDone(ILogger logger, long replayId, long listenerId, long queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not go on with replays; trying again in a few seconds")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
