using System.Data.Common;
using System.Text.Json;

namespace Switchboard.Storage;

/// <summary>A subscription: a set of tags an event must all carry (tags.md, Matching).</summary>
internal sealed record Subscription(long Id, long ListenerId, IReadOnlyList<string> Tags);

/// <summary>The SQL of the <c>subscriptions</c> table; tags are a JSON array of strings.</summary>
internal static class SubscriptionTable
{
    public const string Name = "subscriptions";
    public const string Columns = "id, listener_id, tags";

    public static Task<Subscription?> FindAsync(HubConnection db, long listenerId, long id, CancellationToken cancellationToken) =>
        HubConnection.FirstOrDefaultAsync(
            db.Command($"SELECT {Columns} FROM subscriptions WHERE id = @id AND listener_id = @listener_id").With("@id", id).With("@listener_id", listenerId),
            Read, cancellationToken);

    public static Task<List<Subscription>> OfListenerAsync(HubConnection db, long listenerId, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            db.Command($"SELECT {Columns} FROM subscriptions WHERE listener_id = @listener_id ORDER BY id").With("@listener_id", listenerId),
            Read, cancellationToken);

    /// <summary>Inserts a subscription; it carries its listener's owner so account-wide queries need no join.</summary>
    public static async Task<Subscription> InsertAsync(HubConnection db, Listener listener, IReadOnlyList<string> tags, CancellationToken cancellationToken) =>
        (await HubConnection.FirstOrDefaultAsync(
            db.Command($"INSERT INTO subscriptions (listener_id, voip_id, extension_id, tags) VALUES (@listener_id, @voip_id, @extension_id, @tags) RETURNING {Columns}")
                .With("@listener_id", listener.Id).With("@voip_id", listener.VoipId).With("@extension_id", listener.ExtensionId)
                .With("@tags", JsonSerializer.Serialize([.. tags], StorageJsonContext.Default.StringArray)),
            Read, cancellationToken))!;

    public static Task<int> DeleteAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(db.Command("DELETE FROM subscriptions WHERE id = @id").With("@id", id), cancellationToken);

    public static Subscription Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), JsonSerializer.Deserialize(reader.GetString(2), StorageJsonContext.Default.StringArray)!);
}
