using Microsoft.Extensions.Options;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// scaling.md, "Limits are global": a callback's in-flight cap, rate limit and circuit breaker hold
/// for the callback, not per node, at a small cost. The in-flight cap is shared out between the
/// live nodes, which costs nothing; sends are taken from one window per callback in the database,
/// for all the events a node has in hand at once; a breaker pause that grows long on one node is
/// recorded and announced, and every node pauses. With one process (SQLite) each is decided in memory.
/// </summary>
internal sealed partial class ClusterLimits(HubDatabase database, HubNode node, IOptions<DeliveryOptions> options, ILogger<ClusterLimits> logger)
{
    /// <summary>
    /// The shortest breaker pause every node takes: from the third pause in a row (4 s) on. The
    /// first short pauses stay with the node whose failures opened them, so a receiver that fails
    /// now and then is not paused by every node for each node's unlucky streak.
    /// </summary>
    public const long SharedPauseMs = 4_000;

    /// <summary>Whether other nodes deliver to the same callbacks.</summary>
    public bool Shared => database.SharedByNodes;

    /// <summary>
    /// The requests this node may have in flight to one callback: <c>Delivery:MaxInFlightPerCallback</c>
    /// divided between the live nodes (at least one each), so together they stay within it.
    /// </summary>
    public int InFlightCap => Math.Max(1, options.Value.MaxInFlightPerCallback / Math.Max(1, node.LiveNodes));

    /// <summary>Takes up to <paramref name="wanted"/> sends from the callback's window shared by every node; how many, and when a full window may have room again.</summary>
    public async Task<(int Granted, long RetryAt)> TakeSendsAsync(long callbackId, CallbackRateLimit limit, int wanted, long now, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        return await RateBudgetTable.TakeAsync(db, callbackId, limit.Number, limit.Period * 1000L, wanted, now, cancellationToken);
    }

    /// <summary>Records that the callback's breaker is open until <paramref name="until"/> and tells the other nodes at once.</summary>
    public async Task PublishPauseAsync(long callbackId, long until, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await database.ConnectAsync(cancellationToken);
            await CallbackHealthTable.PauseAsync(db, callbackId, until, cancellationToken);
            await database.NotifyAsync(db, ClusterNotice.Pause(callbackId, until), cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            // The other nodes open their own breakers after their own failures.
            LogPauseNotShared(logger, e, callbackId);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other nodes that callback {CallbackId} is paused")]
    private static partial void LogPauseNotShared(ILogger logger, Exception exception, long callbackId);
}
