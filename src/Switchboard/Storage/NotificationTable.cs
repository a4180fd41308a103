using System.Data.Common;

namespace Switchboard.Storage;

/// <summary>A row of <c>notifications</c> waiting to be sent.</summary>
internal sealed record PendingNotification(long Id, long VoipId, long CallbackId, long? ProfileId, string Kind, string Reason, long CreatedAt);

/// <summary>
/// The SQL of the <c>notifications</c> table as the notification sender reads it; the writer
/// records them with <see cref="CallbackHealthTable.NotifyAsync"/>.
/// </summary>
internal static class NotificationTable
{
    private const string Unclaimed = "sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)";

    /// <summary>
    /// Claims the oldest notifications not yet sent nor claimed by a node (at most 100) until
    /// <paramref name="until"/>, so that of nodes sending at once only one sends each: a node that
    /// waited for a row another just claimed finds the claim on it and leaves it.
    /// </summary>
    public static async Task<List<PendingNotification>> ClaimAsync(HubConnection db, long now, long until, CancellationToken cancellationToken)
    {
        var claimed = await HubConnection.ListAsync(
            db.Command($"""
                UPDATE notifications SET claimed_until = @until
                WHERE id IN (SELECT id FROM notifications WHERE {Unclaimed} ORDER BY id LIMIT 100) AND {Unclaimed}
                RETURNING id, voip_id, callback_id, profile_id, kind, reason, created_at
                """).With("@now", now).With("@until", until),
            ReadPending, cancellationToken);
        claimed.Sort((a, b) => a.Id.CompareTo(b.Id));
        return claimed;
    }

    /// <summary>Gives back the claims of notifications not sent after all (the SMTP server failed), so any node may send them later.</summary>
    public static Task<int> ReleaseAsync(HubConnection db, IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        var command = db.Command("");
        command.CommandText = $"UPDATE notifications SET claimed_until = NULL WHERE sent_at IS NULL AND id IN ({command.WithList("@n", ids)})";
        return HubConnection.ExecuteAsync(command, cancellationToken);
    }

    public static Task<int> MarkSentAsync(HubConnection db, long id, long now, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(db.Command("UPDATE notifications SET sent_at = @now WHERE id = @id").With("@id", id).With("@now", now), cancellationToken);

    private static PendingNotification ReadPending(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetNullableInt64(3), reader.GetString(4), reader.GetString(5), reader.GetInt64(6));
}
