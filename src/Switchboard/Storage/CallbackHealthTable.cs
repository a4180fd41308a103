namespace Switchboard.Storage;

/// <summary>A callback's record of failures: since when every attempt has failed, how many events ran out of attempts since, and when its owner was last told.</summary>
internal sealed record CallbackHealthRow(long FailingSince, long Exhausted, long? NotifiedAt);

/// <summary>
/// The SQL of <c>callback_health</c>, of disabling a callback and of recording an owner
/// notification (delivery.md, Deactivation and profiles). Runs inside the writer's turn.
/// </summary>
internal static class CallbackHealthTable
{
    public static Task SucceededAsync(HubConnection db, long callbackId, long now, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command("""
                INSERT INTO callback_health (callback_id, failing_since, exhausted, last_success_at, notified_at) VALUES (@id, NULL, 0, @now, NULL)
                ON CONFLICT (callback_id) DO UPDATE SET failing_since = NULL, exhausted = 0, last_success_at = @now
                """).With("@id", callbackId).With("@now", now),
            cancellationToken);

    public static Task FailedAsync(HubConnection db, long callbackId, long now, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command("""
                INSERT INTO callback_health (callback_id, failing_since, exhausted, last_success_at, notified_at) VALUES (@id, @now, 0, NULL, NULL)
                ON CONFLICT (callback_id) DO UPDATE SET failing_since = COALESCE(callback_health.failing_since, @now)
                """).With("@id", callbackId).With("@now", now),
            cancellationToken);

    /// <summary>Counts an event that ran out of attempts at the callback; the record after it.</summary>
    public static async Task<CallbackHealthRow> ExhaustedAsync(HubConnection db, long callbackId, long now, CancellationToken cancellationToken)
    {
        await FailedAsync(db, callbackId, now, cancellationToken);
        return (await HubConnection.FirstOrDefaultAsync(
            db.Command("UPDATE callback_health SET exhausted = exhausted + 1 WHERE callback_id = @id RETURNING failing_since, exhausted, notified_at")
                .With("@id", callbackId),
            r => new CallbackHealthRow(r.GetInt64(0), r.GetInt64(1), r.GetNullableInt64(2)), cancellationToken))!;
    }

    /// <summary>Records that the callback's breaker is open until <paramref name="until"/> (a later pause recorded meanwhile stays).</summary>
    public static Task PauseAsync(HubConnection db, long callbackId, long until, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command("""
                INSERT INTO callback_health (callback_id, failing_since, exhausted, last_success_at, notified_at, paused_until) VALUES (@id, NULL, 0, NULL, NULL, @until)
                ON CONFLICT (callback_id) DO UPDATE SET paused_until = @until
                WHERE callback_health.paused_until IS NULL OR callback_health.paused_until < @until
                """).With("@id", callbackId).With("@until", until),
            cancellationToken);

    /// <summary>The callbacks whose breaker some node has open after <paramref name="now"/>, and until when.</summary>
    public static Task<List<(long CallbackId, long Until)>> PausedAsync(HubConnection db, long now, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            db.Command("SELECT callback_id, paused_until FROM callback_health WHERE paused_until > @now").With("@now", now),
            r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken);

    public static Task MarkNotifiedAsync(HubConnection db, long callbackId, long now, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(db.Command("UPDATE callback_health SET notified_at = @now WHERE callback_id = @id").With("@id", callbackId).With("@now", now), cancellationToken);

    /// <summary>Disables the callback; false if it already was.</summary>
    public static async Task<bool> DisableAsync(HubConnection db, long callbackId, CancellationToken cancellationToken) =>
        await HubConnection.ExecuteAsync(db.Command("UPDATE callbacks SET enabled = @off WHERE id = @id AND enabled = @on").With("@id", callbackId).With("@off", false).With("@on", true), cancellationToken) == 1;

    /// <summary>Records the e-mail the callback's owner gets (sent by the notification sender).</summary>
    public static Task NotifyAsync(HubConnection db, long voipId, long callbackId, long? profileId, string kind, string reason, long now, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command("INSERT INTO notifications (voip_id, callback_id, profile_id, kind, reason, created_at) VALUES (@voip_id, @callback_id, @profile_id, @kind, @reason, @now)")
                .With("@voip_id", voipId).With("@callback_id", callbackId).With("@profile_id", profileId).With("@kind", kind).With("@reason", reason).With("@now", now),
            cancellationToken);
}
