namespace Switchboard.Storage;

/// <summary>The rows the listener index is built from, of one account or of all.</summary>
internal sealed record AccountRows(
    List<Listener> Listeners, List<Subscription> Subscriptions, List<ListenerFilter> Filters, List<Callback> Callbacks, List<Schedule> Schedules);

/// <summary>
/// The SQL of the listener index's snapshot: every listener, subscription, filter, callback and
/// schedule of an account, read on one connection. Subscriptions and filters carry their
/// listener's owner, so each table is read by account without a join.
/// </summary>
internal static class AccountSnapshotTable
{
    /// <summary>The rows of account <paramref name="voipId"/>, or of every account when it is null (start-up).</summary>
    public static async Task<AccountRows> LoadAsync(HubConnection db, long? voipId, CancellationToken cancellationToken)
    {
        var where = voipId is null ? "" : " WHERE voip_id = @voip_id";
        var listeners = await HubConnection.ListAsync(db.Command($"SELECT {ListenerTable.Columns} FROM listeners{where}").With("@voip_id", voipId), ListenerTable.Read, cancellationToken);
        var subscriptions = await HubConnection.ListAsync(db.Command($"SELECT {SubscriptionTable.Columns} FROM subscriptions{where}").With("@voip_id", voipId), SubscriptionTable.Read, cancellationToken);
        var filters = await HubConnection.ListAsync(db.Command($"SELECT {FilterTable.Columns} FROM filters{where}").With("@voip_id", voipId), FilterTable.Read, cancellationToken);
        var callbacks = await HubConnection.ListAsync(db.Command($"SELECT {CallbackTable.Columns} FROM callbacks{where}").With("@voip_id", voipId), CallbackTable.Read, cancellationToken);
        var schedules = await HubConnection.ListAsync(db.Command($"SELECT {ScheduleTable.Columns} FROM schedules{where}").With("@voip_id", voipId), ScheduleTable.Read, cancellationToken);
        return new AccountRows(listeners, subscriptions, filters, callbacks, schedules);
    }
}
