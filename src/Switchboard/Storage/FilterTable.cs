using System.Data.Common;
using System.Text.Json;

namespace Switchboard.Storage;

/// <summary>
/// An extra condition on a listener's events (api.md, Filters; semantics in delivery.md):
/// <see cref="FilterType"/> <c>number</c> or <c>schedule</c>, its value as the API shows it.
/// </summary>
internal sealed record ListenerFilter(long Id, long ListenerId, string FilterType, JsonElement FilterValue, bool NotLogic);

/// <summary>The SQL of the <c>filters</c> table; the value is JSON text.</summary>
internal static class FilterTable
{
    public const string Name = "filters";
    public const string Columns = "id, listener_id, filter_type, filter_value, not_logic";

    public static Task<ListenerFilter?> FindAsync(HubConnection db, long listenerId, long id, CancellationToken cancellationToken) =>
        HubConnection.FirstOrDefaultAsync(
            db.Command($"SELECT {Columns} FROM filters WHERE id = @id AND listener_id = @listener_id").With("@id", id).With("@listener_id", listenerId),
            Read, cancellationToken);

    public static Task<List<ListenerFilter>> OfListenerAsync(HubConnection db, long listenerId, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            db.Command($"SELECT {Columns} FROM filters WHERE listener_id = @listener_id ORDER BY id").With("@listener_id", listenerId),
            Read, cancellationToken);

    public static async Task<ListenerFilter> InsertAsync(HubConnection db, Listener listener, string filterType, JsonElement filterValue, bool notLogic, CancellationToken cancellationToken) =>
        (await HubConnection.FirstOrDefaultAsync(
            db.Command($"""
                INSERT INTO filters (listener_id, voip_id, extension_id, filter_type, filter_value, not_logic)
                VALUES (@listener_id, @voip_id, @extension_id, @filter_type, @filter_value, @not_logic) RETURNING {Columns}
                """)
                .With("@listener_id", listener.Id).With("@voip_id", listener.VoipId).With("@extension_id", listener.ExtensionId)
                .With("@filter_type", filterType).With("@filter_value", StoredJson.Text(filterValue)).With("@not_logic", notLogic),
            Read, cancellationToken))!;

    public static Task<int> UpdateAsync(HubConnection db, ListenerFilter filter, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command("UPDATE filters SET filter_type = @filter_type, filter_value = @filter_value, not_logic = @not_logic WHERE id = @id")
                .With("@filter_type", filter.FilterType).With("@filter_value", StoredJson.Text(filter.FilterValue))
                .With("@not_logic", filter.NotLogic).With("@id", filter.Id),
            cancellationToken);

    public static Task<int> DeleteAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(db.Command("DELETE FROM filters WHERE id = @id").With("@id", id), cancellationToken);

    public static ListenerFilter Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), StoredJson.Parse(reader.GetString(3)), reader.GetBoolean(4));
}
