using Switchboard.Dashboard.Pages;
using Switchboard.Delivery;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Dashboard;

/// <summary>The operator's page: the hub's last hour, its queues, what fails across accounts, and the nodes.</summary>
internal sealed record HubModel(
    PageFrame Frame, IReadOnlyList<MinuteFigures> LastHour, long IngestQueue, long InMemory, long Waiting, long WaitingInStorage, long OpenActivities,
    IReadOnlyList<FailingCallback> Failing, string NodeId, IReadOnlyList<NodeRow>? Nodes, long Now);

/// <summary><c>/ui/hub</c>, for operator tokens only (api.md, Dashboard).</summary>
internal static class OperatorPages
{
    public const string Path = DashboardHosting.Root + "/hub";

    public static void MapOperatorPages(this RouteGroupBuilder ui) => ui.MapGet("/hub", HubAsync);

    private static async Task<IResult> HubAsync(
        HttpContext context, HubDatabase database, HubMetrics metrics, OutboxQueue queue, OutboxWriter writer, HubNode node, TimeProvider clock, CancellationToken cancellationToken)
    {
        var token = await DashboardSession.FindAsync(context);
        if (token is null)
        {
            return DashboardResults.SeeOther($"{SignIn.Path}?return={Uri.EscapeDataString(Path)}");
        }
        if (token.Scope != TokenScope.Operator)
        {
            return DashboardResults.Problem(StatusCodes.Status403Forbidden, "For operators", "The hub's own figures take an operator token.");
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        var (waiting, open) = await DashboardReads.BacklogAsync(db, cancellationToken);
        var failing = await DashboardReads.FailingCallbacksAsync(db, 50, cancellationToken);
        var nodes = database.SharedByNodes ? await NodeTable.ListAsync(db, cancellationToken) : null;
        return DashboardResults.Page<HubPage>(new HubModel(
            PageFrame.For(context, token), metrics.Timeline.LastHour(), writer.QueuedActivities, queue.InMemory, queue.WaitingCount, waiting, open,
            failing, node.Id, nodes, clock.GetUtcNow().ToUnixTimeMilliseconds()));
    }
}
