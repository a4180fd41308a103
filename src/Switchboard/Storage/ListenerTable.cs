using System.Data.Common;

namespace Switchboard.Storage;

/// <summary>
/// A listener: joins subscriptions and filters to one callback (api.md, Listeners).
/// <see cref="CreatedAt"/> and <see cref="ExpiresAt"/> are UNIX seconds.
/// <see cref="Ordered"/>: one data object's events reach it one at a time, in order (delivery.md, Ordered listeners).
/// </summary>
internal sealed record Listener(long Id, long VoipId, long? ExtensionId, string Version, long CallbackId, long CreatedAt, long? ExpiresAt, bool Ordered);

/// <summary>The SQL of the <c>listeners</c> table.</summary>
internal static class ListenerTable
{
    public const string Name = "listeners";
    public const string Columns = "id, voip_id, extension_id, version, callback_id, created_at, expires_at, ordered";

    public static Task<Listener?> FindAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        HubConnection.FirstOrDefaultAsync(db.Command($"SELECT {Columns} FROM listeners WHERE id = @id").With("@id", id), Read, cancellationToken);

    public static async Task<Listener> InsertAsync(HubConnection db, Listener listener, CancellationToken cancellationToken) =>
        (await HubConnection.FirstOrDefaultAsync(
            db.Command($"""
                INSERT INTO listeners (voip_id, extension_id, version, callback_id, created_at, expires_at, ordered)
                VALUES (@voip_id, @extension_id, @version, @callback_id, @created_at, @expires_at, @ordered) RETURNING {Columns}
                """)
                .With("@voip_id", listener.VoipId).With("@extension_id", listener.ExtensionId).With("@version", listener.Version)
                .With("@callback_id", listener.CallbackId).With("@created_at", listener.CreatedAt).With("@expires_at", listener.ExpiresAt).With("@ordered", listener.Ordered),
            Read, cancellationToken))!;

    public static Task<int> UpdateAsync(HubConnection db, Listener listener, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command("UPDATE listeners SET version = @version, callback_id = @callback_id, expires_at = @expires_at, ordered = @ordered WHERE id = @id")
                .With("@version", listener.Version).With("@callback_id", listener.CallbackId).With("@expires_at", listener.ExpiresAt).With("@ordered", listener.Ordered).With("@id", listener.Id),
            cancellationToken);

    /// <summary>
    /// Deletes the listener with its subscriptions and filters (api.md), and queues its delivery
    /// log for removal in the background (RetentionWorker); call inside a transaction.
    /// </summary>
    public static async Task DeleteAsync(HubConnection db, long id, long nowMs, CancellationToken cancellationToken)
    {
        await HubConnection.ExecuteAsync(
            db.Command("INSERT INTO deleted_listeners (listener_id, deleted_at) VALUES (@id, @now) ON CONFLICT (listener_id) DO NOTHING").With("@id", id).With("@now", nowMs),
            cancellationToken);
        await HubConnection.ExecuteAsync(db.Command("DELETE FROM subscriptions WHERE listener_id = @id").With("@id", id), cancellationToken);
        await HubConnection.ExecuteAsync(db.Command("DELETE FROM filters WHERE listener_id = @id").With("@id", id), cancellationToken);
        await HubConnection.ExecuteAsync(db.Command("DELETE FROM listeners WHERE id = @id").With("@id", id), cancellationToken);
    }

    public static Listener Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetNullableInt64(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetNullableInt64(6), reader.GetBoolean(7));
}
