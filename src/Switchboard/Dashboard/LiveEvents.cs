using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Api;
using Switchboard.Delivery;
using Switchboard.Storage;

namespace Switchboard.Dashboard;

/// <summary>An event of the delivery log as the live stream sends it, for the page's script to show or update its row.</summary>
internal sealed record LiveEvent(string Uuid, string DataType, string Tags, string Status, string? StatusReason, int Attempts, string? LastAttemptAt, string Href);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LiveEvent))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;

/// <summary>
/// <c>…/listeners/{id}/live</c>: the listener's newest events as server-sent events, each time one
/// appears or its status changes. It reads the delivery log the page shows, once a second, so it
/// sees what every node delivered; the token is looked up again each time, so a revoked one ends the stream.
/// </summary>
internal static class LiveEvents
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static async Task StreamAsync(long listener_id, string? status, string? data_type, HttpContext context, HubDatabase database, EventUuids uuids, TimeProvider clock, IHostApplicationLifetime lifetime)
    {
        var at = CustomerBase.Of(context);
        status = EventStatus.All.Contains(status) ? status : null;
        data_type = string.IsNullOrWhiteSpace(data_type) ? null : data_type.Trim();
        // The stream never ends by itself: it ends with the hub too, which would otherwise wait for it when stopping.
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = ends.Token;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var sent = new Dictionary<string, (string Status, int Attempts)>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (await DashboardSession.FindAsync(context) is not { } token || !EventBases.Allows(token, at.Owner.VoipId, at.Owner.ExtensionId))
                {
                    return;
                }
                PageRows<LoggedEvent>? rows;
                await using (var db = await database.ConnectAsync(cancellationToken))
                {
                    rows = await Deliveries.LogAsync(db, uuids, at.Owner, listener_id, status, data_type, CustomerPages.LogPageSize, 0, cancellationToken);
                }
                if (rows is null)
                {
                    return;
                }
                // Oldest first, so that the page, putting each new one on top, ends newest first.
                foreach (var row in rows.Items.Reverse())
                {
                    if (sent.TryGetValue(row.Uuid, out var was) && was == (row.Status, row.Attempts))
                    {
                        continue;
                    }
                    sent[row.Uuid] = (row.Status, row.Attempts);
                    var live = new LiveEvent(row.Uuid, row.Activity.DataType, string.Join(' ', row.Activity.Tags), row.Status, row.StatusReason, row.Attempts,
                        Deliveries.Iso(row.LastAttemptAt), at.Event(listener_id, row.Uuid));
                    await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(live, DashboardJsonContext.Default.LiveEvent)}\n\n", cancellationToken);
                }
                await context.Response.Body.FlushAsync(cancellationToken);
                await Task.Delay(Interval, clock, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page was closed, or the hub is stopping.
        }
    }
}
