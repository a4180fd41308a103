using Switchboard.Api;
using Switchboard.Storage;

namespace Switchboard.Dashboard;

/// <summary>The first activity of the last hour and of the last day, found once for all the listeners of a page.</summary>
internal sealed record HealthWindow(long Now, long HourFrom, long DayFrom)
{
    public const long DayMs = 24 * 3_600_000L;

    public long DayStart => Now - DayMs;

    public static async Task<HealthWindow> LoadAsync(HubConnection db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return new HealthWindow(now,
            await DashboardReads.FirstActivitySinceAsync(db, now - 3_600_000, cancellationToken),
            await DashboardReads.FirstActivitySinceAsync(db, now - DayMs, cancellationToken));
    }
}

/// <summary>
/// A listener's callback at a glance: its events of the last hour and day by how they ended, the
/// day hour by hour, since when it fails, whether the breaker pauses it, why it was disabled and
/// what the receiver last answered.
/// </summary>
internal sealed record ListenerHealth(
    StatusCounts LastHour, StatusCounts LastDay, IReadOnlyList<HourCounts> Hours, long DayStart, CallbackHealthView? Callback, bool Enabled,
    string? DisabledReason, FailedAttempt? LastError, long Now)
{
    public static async Task<ListenerHealth> LoadAsync(HubConnection db, HealthWindow window, OverviewItem item, CancellationToken cancellationToken)
    {
        var hourly = await DashboardReads.HourlyAsync(db, item.Id, window.DayFrom, window.DayStart, cancellationToken);
        var hours = Enumerable.Range(0, 24).Select(h => new HourCounts(h, 0, 0)).ToArray();
        foreach (var hour in hourly)
        {
            var at = Math.Clamp(hour.Hour, 0, 23);
            hours[at] = hours[at] with { Delivered = hours[at].Delivered + hour.Delivered, NotDelivered = hours[at].NotDelivered + hour.NotDelivered };
        }
        var enabled = item.Callback?.Enabled ?? false;
        return new ListenerHealth(
            await DashboardReads.CountsAsync(db, item.Id, window.HourFrom, cancellationToken),
            await DashboardReads.CountsAsync(db, item.Id, window.DayFrom, cancellationToken),
            hours, window.DayStart,
            await DashboardReads.HealthAsync(db, item.CallbackId, cancellationToken),
            enabled,
            enabled ? null : (await DashboardReads.DisabledReasonAsync(db, item.CallbackId, cancellationToken))?.Reason,
            (await AttemptTable.LastFailedAsync(db, item.CallbackId, window.Now, 1, cancellationToken)).FirstOrDefault(),
            window.Now);
    }

    public bool Paused => Callback?.PausedUntil is { } until && until > Now;

    /// <summary>One word for the callback's state, also its CSS class: disabled, failing, paused, idle or healthy.</summary>
    public string State =>
        !Enabled ? "disabled"
        : Callback?.FailingSince is not null ? "failing"
        : Paused ? "paused"
        : LastDay.Settled == 0 ? "idle"
        : "healthy";
}
