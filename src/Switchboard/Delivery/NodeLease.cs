using Microsoft.Extensions.Options;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// scaling.md, Nodes: this node's row in <c>nodes</c>, its heartbeat every third of
/// <c>Cluster:LeaseSeconds</c>, and the work of nodes whose heartbeat is older than the lease,
/// taken over so that the events they held are delivered. Only where nodes share the database:
/// a SQLite file has one process, which takes everything at start-up.
/// </summary>
internal sealed partial class NodeLease(
    HubDatabase database, HubNode node, OutboxQueue queue, TimeProvider clock, IOptions<ClusterOptions> options, ILogger<NodeLease> logger) : BackgroundService
{
    // Even with no node seen to go, work nobody holds (a node that left during its last turn) is looked for this often.
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private long LeaseMs => options.Value.LeaseSeconds * 1000L;

    /// <summary>Start-up, before the hub takes requests: registers, forgets the nodes that are gone, and holds what they held (OutboxQueue.RecoverAsync reads it).</summary>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await database.ConnectAsync(cancellationToken);
        await NodeTable.RegisterAsync(db, new NodeRow(node.Id, node.Host, node.StartedAt, now), cancellationToken);
        await NodeTable.ExpireAsync(db, node.Id, database.SharedByNodes ? now - LeaseMs : null, cancellationToken);
        node.LiveNodes = Math.Max(1, await NodeTable.CountLiveAsync(db, now - LeaseMs, cancellationToken));
        await NodeTable.TakeOrphansAsync(db, node.Id, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.SharedByNodes)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(LeaseMs / 3, 200)));
        var nextSweep = clock.GetUtcNow() + SweepEvery;
        var lastBeat = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var judgeFrom = 0L;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = clock.GetUtcNow();
                var nowMs = now.ToUnixTimeMilliseconds();
                await using var db = await database.ConnectAsync(stoppingToken);
                await NodeTable.RegisterAsync(db, new NodeRow(node.Id, node.Host, node.StartedAt, nowMs), stoppingToken);
                if (nowMs - lastBeat > LeaseMs)
                {
                    // This node could not reach the database for longer than a lease, and most likely
                    // neither could the others (the database was down): their heartbeats are as stale
                    // as this one's. They get a lease to beat again before their work is taken, or
                    // every live node's work would be taken and delivered twice (scaling.md: no double
                    // delivery while all nodes are alive).
                    judgeFrom = nowMs + LeaseMs;
                    LogBackAfterOutage(logger, (nowMs - lastBeat) / 1000.0);
                }
                lastBeat = nowMs;
                if (nowMs < judgeFrom)
                {
                    continue;
                }
                var gone = await NodeTable.ExpireAsync(db, node.Id, nowMs - LeaseMs, stoppingToken);
                node.LiveNodes = Math.Max(1, await NodeTable.CountLiveAsync(db, nowMs - LeaseMs, stoppingToken));
                if (gone == 0 && now < nextSweep)
                {
                    continue;
                }
                nextSweep = now + SweepEvery;
                var (activities, waiting) = await NodeTable.TakeOrphansAsync(db, node.Id, stoppingToken);
                if (activities.Count + waiting.Count > 0)
                {
                    queue.TakeOver(activities, waiting);
                    LogTookOver(logger, activities.Count, waiting.Count);
                }
            }
            catch (System.Data.Common.DbException e)
            {
                LogHeartbeatFailed(logger, e);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!database.SharedByNodes)
        {
            return;
        }
        try
        {
            // Stopped last (registered first): what is still open here, the others take at once.
            await using var db = await database.ConnectAsync(cancellationToken);
            await NodeTable.LeaveAsync(db, node.Id, cancellationToken);
        }
        catch (System.Data.Common.DbException e)
        {
            LogHeartbeatFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over {Activities} open activities and {Waiting} waiting events from nodes that are gone")]
    private static partial void LogTookOver(ILogger logger, int activities, int waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node's heartbeat is in the database again after {Seconds:0.0} s; other nodes get a lease to beat again before any of them is taken for gone")]
    private static partial void LogBackAfterOutage(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not keep this node's heartbeat in the database; trying again")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);
}
