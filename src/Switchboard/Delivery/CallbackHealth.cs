using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>What a callback's record of failures calls for (delivery.md, Deactivation and profiles).</summary>
internal enum HealthVerdict
{
    None,

    /// <summary>Its failures started: tell the owner (at most once per callback per 24 h).</summary>
    Failing,

    /// <summary>Failed long enough, with enough events exhausted: disable it.</summary>
    Deactivate,
}

/// <summary>
/// The SQL of <c>callback_health</c>: since when every attempt to a callback has failed, and how
/// many events ran out of attempts since. Runs inside the transaction that records the attempts.
/// </summary>
internal static class CallbackHealth
{
    private static readonly long NotifyEveryMs = (long)TimeSpan.FromHours(24).TotalMilliseconds;

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

    /// <summary>Counts an event that ran out of attempts at the callback, and says what that calls for.</summary>
    public static async Task<HealthVerdict> ExhaustedAsync(HubConnection db, long callbackId, long now, TimeSpan deactivateAfter, int deactivateAfterExhausted, CancellationToken cancellationToken)
    {
        await FailedAsync(db, callbackId, now, cancellationToken);
        var row = await HubConnection.FirstOrDefaultAsync(
            db.Command("UPDATE callback_health SET exhausted = exhausted + 1 WHERE callback_id = @id RETURNING failing_since, exhausted, notified_at")
                .With("@id", callbackId),
            r => new long?[] { r.GetInt64(0), r.GetInt64(1), r.GetNullableInt64(2) }, cancellationToken);
        var (failingSince, exhausted, notifiedAt) = (row![0]!.Value, row[1]!.Value, row[2]);
        if (now - failingSince >= deactivateAfter.TotalMilliseconds && exhausted >= deactivateAfterExhausted)
        {
            return HealthVerdict.Deactivate;
        }
        if (exhausted == 1 && (notifiedAt is null || now - notifiedAt >= NotifyEveryMs))
        {
            await HubConnection.ExecuteAsync(db.Command("UPDATE callback_health SET notified_at = @now WHERE callback_id = @id").With("@id", callbackId).With("@now", now), cancellationToken);
            return HealthVerdict.Failing;
        }
        return HealthVerdict.None;
    }

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
