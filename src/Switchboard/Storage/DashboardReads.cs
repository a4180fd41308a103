namespace Switchboard.Storage;

/// <summary>How many of a listener's events ended each way: those of the last hour and of the last day.</summary>
internal sealed record StatusCounts(long Delivered, long Failed, long Suppressed)
{
    public long Settled => Delivered + Failed + Suppressed;
}

/// <summary>One hour of a listener's settled events, for its success-rate chart; <see cref="Hour"/> counts from the start of the day shown.</summary>
internal sealed record HourCounts(int Hour, long Delivered, long NotDelivered);

/// <summary>What the callback's health record says: failing since when (UNIX ms), paused by the breaker until when, last success.</summary>
internal sealed record CallbackHealthView(long? FailingSince, long? PausedUntil, long? LastSuccessAt);

/// <summary>A callback failing or disabled, as the operator's page lists it.</summary>
internal sealed record FailingCallback(Callback Callback, long? FailingSince, long Exhausted);

/// <summary>
/// The SQL of the dashboard's figures (api.md, Dashboard). A listener's events are read by
/// its deliveries' primary key from the first activity of the period on, so a page costs the
/// events of one day of one listener, not a scan of the table.
/// </summary>
internal static class DashboardReads
{
    /// <summary>The id of the first activity acknowledged at or after <paramref name="sinceMs"/>; past the last id when there is none.</summary>
    public static async Task<long> FirstActivitySinceAsync(HubConnection db, long sinceMs, CancellationToken cancellationToken) =>
        (await HubConnection.ListAsync(
            db.Command("SELECT id FROM activities WHERE created_at >= @since ORDER BY created_at, id LIMIT 1").With("@since", sinceMs),
            r => r.GetInt64(0), cancellationToken)) is [var id] ? id : long.MaxValue;

    /// <summary>The listener's settled events of activities from <paramref name="fromActivityId"/> on, by status.</summary>
    public static async Task<StatusCounts> CountsAsync(HubConnection db, long listenerId, long fromActivityId, CancellationToken cancellationToken)
    {
        var rows = await HubConnection.ListAsync(
            db.Command("SELECT status, COUNT(*) FROM deliveries WHERE listener_id = @listener_id AND activity_id >= @from AND status <> 'pending' GROUP BY status")
                .With("@listener_id", listenerId).With("@from", fromActivityId),
            r => (Status: r.GetString(0), Count: r.GetInt64(1)), cancellationToken);
        long Of(string status) => rows.Where(r => r.Status == status).Sum(r => r.Count);
        return new StatusCounts(Of("delivered"), Of("failed"), Of("suppressed"));
    }

    /// <summary>The listener's events settled since <paramref name="sinceMs"/>, hour by hour (hours without events are absent).</summary>
    public static Task<List<HourCounts>> HourlyAsync(HubConnection db, long listenerId, long fromActivityId, long sinceMs, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            db.Command("""
                SELECT (last_attempt_at - @since) / 3600000,
                    SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'delivered' THEN 0 ELSE 1 END)
                FROM deliveries
                WHERE listener_id = @listener_id AND activity_id >= @from AND status <> 'pending' AND last_attempt_at >= @since
                GROUP BY (last_attempt_at - @since) / 3600000
                """).With("@listener_id", listenerId).With("@from", fromActivityId).With("@since", sinceMs),
            r => new HourCounts((int)r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken);

    public static Task<CallbackHealthView?> HealthAsync(HubConnection db, long callbackId, CancellationToken cancellationToken) =>
        HubConnection.FirstOrDefaultAsync(
            db.Command("SELECT failing_since, paused_until, last_success_at FROM callback_health WHERE callback_id = @id").With("@id", callbackId),
            r => new CallbackHealthView(r.GetNullableInt64(0), r.GetNullableInt64(1), r.GetNullableInt64(2)), cancellationToken);

    /// <summary>Why the callback was last disabled, as its owner was told (delivery.md, Deactivation and profiles), and when.</summary>
    public static async Task<(string Reason, long At)?> DisabledReasonAsync(HubConnection db, long callbackId, CancellationToken cancellationToken) =>
        (await HubConnection.ListAsync(
            db.Command("SELECT reason, created_at FROM notifications WHERE callback_id = @id AND kind = 'deactivated' ORDER BY id DESC LIMIT 1").With("@id", callbackId),
            r => (Reason: r.GetString(0), At: r.GetInt64(1)), cancellationToken)) is [var last] ? last : null;

    /// <summary>Callbacks of every account that are failing now or disabled, the longest failing first.</summary>
    public static Task<List<FailingCallback>> FailingCallbacksAsync(HubConnection db, int limit, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            db.Command($"""
                SELECT {string.Join(", ", CallbackTable.Columns.Split(", ").Select(c => "c." + c))}, h.failing_since, CAST(COALESCE(h.exhausted, 0) AS BIGINT)
                FROM callbacks c LEFT JOIN callback_health h ON h.callback_id = c.id
                WHERE h.failing_since IS NOT NULL OR c.enabled = @off
                ORDER BY CASE WHEN h.failing_since IS NULL THEN 1 ELSE 0 END, h.failing_since, c.id LIMIT @limit
                """).With("@off", false).With("@limit", limit),
            r => new FailingCallback(CallbackTable.Read(r), r.GetNullableInt64(9), r.GetInt64(10)), cancellationToken);

    /// <summary>Events waiting in storage for a later attempt, and activities whose events have not all been tried yet.</summary>
    public static async Task<(long WaitingEvents, long OpenActivities)> BacklogAsync(HubConnection db, CancellationToken cancellationToken) =>
        (await HubConnection.Int64Async(db.Command("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'"), cancellationToken),
         await HubConnection.Int64Async(db.Command("SELECT COUNT(*) FROM open_activities"), cancellationToken));
}
