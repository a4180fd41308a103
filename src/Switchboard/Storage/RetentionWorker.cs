using Microsoft.Extensions.Options;
using Switchboard.Hosting;

namespace Switchboard.Storage;

/// <summary>
/// Removes what is past <c>Storage:RetentionDays</c> and the delivery log of deleted listeners
/// (delivery.md, Retention), in batches of a few hundred rows, each its own short writer turn,
/// so that ingest and delivery get the write lock between them.
/// </summary>
internal sealed partial class RetentionWorker(HubDatabase database, IOptions<StorageOptions> options, TimeProvider clock, ILogger<RetentionWorker> logger) : BackgroundService
{
    private const int Batch = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.Value.RetentionSweepSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(every, clock, stoppingToken);
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow().AddDays(-options.Value.RetentionDays).ToUnixTimeMilliseconds();
        (long, long)? next = (0L, 0L);
        var activities = 0;
        while (next is { } after)
        {
            int removed;
            await using (var turn = await database.WriterTurnAsync(durable: false, cancellationToken))
            {
                await turn.Db.BeginAsync(cancellationToken);
                (removed, next) = await RetentionTable.RemoveActivitiesAsync(turn.Db, before, after, Batch, cancellationToken);
                await turn.Db.CommitAsync(cancellationToken);
            }
            activities += removed;
        }
        var rows = 0;
        while (true)
        {
            int removed;
            await using (var turn = await database.WriterTurnAsync(durable: false, cancellationToken))
            {
                await turn.Db.BeginAsync(cancellationToken);
                removed = await RetentionTable.RemoveDeletedListenersAsync(turn.Db, Batch, cancellationToken);
                await turn.Db.CommitAsync(cancellationToken);
            }
            rows += removed;
            if (removed < Batch)
            {
                break;
            }
        }
        if (activities + rows > 0)
        {
            LogRemoved(logger, activities, options.Value.RetentionDays, rows);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: removed {Activities} activities older than {Days} days and {Rows} delivery rows of deleted listeners")]
    private static partial void LogRemoved(ILogger logger, int activities, int days, int rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention could not remove old rows; it tries again at the next sweep")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
