namespace Switchboard.Storage;

/// <summary>The SQL of the <c>email_unsubscribes</c> table: the listeners whose e-mail recipient unsubscribed (delivery.md, EMAIL callbacks).</summary>
internal static class EmailUnsubscribeTable
{
    public static Task<List<long>> ListenersAsync(HubConnection db, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(db.Command("SELECT listener_id FROM email_unsubscribes"), r => r.GetInt64(0), cancellationToken);

    /// <summary>The listeners unsubscribed at <paramref name="since"/> or later, with when.</summary>
    public static Task<List<(long ListenerId, long At)>> SinceAsync(HubConnection db, long since, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            db.Command("SELECT listener_id, unsubscribed_at FROM email_unsubscribes WHERE unsubscribed_at >= @since").With("@since", since),
            r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken);

    /// <summary>Records the unsubscribe; the first one stays when the link is used again.</summary>
    public static Task<int> InsertAsync(HubConnection db, long listenerId, long now, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command("INSERT INTO email_unsubscribes (listener_id, unsubscribed_at) VALUES (@id, @now) ON CONFLICT (listener_id) DO NOTHING")
                .With("@id", listenerId).With("@now", now),
            cancellationToken);
}
