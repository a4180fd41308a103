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
    /// <summary>The oldest notifications not yet sent, at most 100.</summary>
    public static Task<List<PendingNotification>> PendingAsync(HubConnection db, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            db.Command("SELECT id, voip_id, callback_id, profile_id, kind, reason, created_at FROM notifications WHERE sent_at IS NULL ORDER BY id LIMIT 100"),
            ReadPending, cancellationToken);

    public static Task<int> MarkSentAsync(HubConnection db, long id, long now, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(db.Command("UPDATE notifications SET sent_at = @now WHERE id = @id").With("@id", id).With("@now", now), cancellationToken);

    private static PendingNotification ReadPending(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetNullableInt64(3), reader.GetString(4), reader.GetString(5), reader.GetInt64(6));
}
