using System.Data.Common;
using System.Text.Json;

namespace Switchboard.Storage;

/// <summary>
/// A callback: where and how events are delivered (api.md, Callbacks). <see cref="Config"/> is
/// the stored config, secrets included; the API masks it on the way out.
/// </summary>
internal sealed record Callback(
    long Id, long VoipId, long? ExtensionId, long? FallbackCallbackId, string? Name, long? ProfileId, bool Enabled, string Mode, JsonElement Config);

/// <summary>The SQL of the <c>callbacks</c> table.</summary>
internal static class CallbackTable
{
    public const string Name = "callbacks";
    public const string Columns = "id, voip_id, extension_id, fallback_callback_id, name, profile_id, enabled, mode, config";

    public static Task<Callback?> FindAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        HubConnection.FirstOrDefaultAsync(db.Command($"SELECT {Columns} FROM callbacks WHERE id = @id").With("@id", id), Read, cancellationToken);

    public static async Task<Callback> InsertAsync(HubConnection db, Callback callback, CancellationToken cancellationToken) =>
        (await HubConnection.FirstOrDefaultAsync(
            Bind(db.Command($"""
                INSERT INTO callbacks (voip_id, extension_id, fallback_callback_id, name, profile_id, enabled, mode, config)
                VALUES (@voip_id, @extension_id, @fallback_callback_id, @name, @profile_id, @enabled, @mode, @config) RETURNING {Columns}
                """), callback),
            Read, cancellationToken))!;

    public static Task<int> UpdateAsync(HubConnection db, Callback callback, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            Bind(db.Command("""
                UPDATE callbacks SET fallback_callback_id = @fallback_callback_id, name = @name, profile_id = @profile_id,
                    enabled = @enabled, mode = @mode, config = @config
                WHERE id = @id
                """), callback).With("@id", callback.Id),
            cancellationToken);

    /// <summary>api.md: a callback cannot be deleted while a listener uses it or another callback falls back to it.</summary>
    public static async Task<bool> IsInUseAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        await HubConnection.Int64Async(
            db.Command("SELECT (SELECT COUNT(*) FROM listeners WHERE callback_id = @id) + (SELECT COUNT(*) FROM callbacks WHERE fallback_callback_id = @id AND id <> @id)").With("@id", id),
            cancellationToken) > 0;

    public static Task<int> DeleteAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(db.Command("DELETE FROM callbacks WHERE id = @id").With("@id", id), cancellationToken);

    public static Callback Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetNullableInt64(2), reader.GetNullableInt64(3), reader.GetNullableString(4),
        reader.GetNullableInt64(5), reader.GetBoolean(6), reader.GetString(7), StoredJson.Parse(reader.GetString(8)));

    private static DbCommand Bind(DbCommand command, Callback callback) => command
        .With("@voip_id", callback.VoipId).With("@extension_id", callback.ExtensionId)
        .With("@fallback_callback_id", callback.FallbackCallbackId).With("@name", callback.Name).With("@profile_id", callback.ProfileId)
        .With("@enabled", callback.Enabled).With("@mode", callback.Mode).With("@config", StoredJson.Text(callback.Config));
}
