namespace Switchboard.Storage;

/// <summary>
/// The SQL of the <c>autoresponder_replies</c> table: when the <c>sms-autoresponder</c> of a
/// listener last replied to a sender (delivery.md).
/// </summary>
internal static class AutoresponderReplyTable
{
    /// <summary>
    /// Records a reply at <paramref name="now"/> unless one went after <paramref name="cutoff"/>;
    /// true when it was recorded. One statement, so of two claims at once only one wins.
    /// </summary>
    public static async Task<bool> TryClaimAsync(HubConnection db, long listenerId, string sender, long now, long cutoff, CancellationToken cancellationToken) =>
        await HubConnection.ExecuteAsync(
            db.Command("""
                INSERT INTO autoresponder_replies (listener_id, sender, replied_at) VALUES (@listener, @sender, @now)
                ON CONFLICT (listener_id, sender) DO UPDATE SET replied_at = excluded.replied_at
                WHERE autoresponder_replies.replied_at <= @cutoff
                """).With("@listener", listenerId).With("@sender", sender).With("@now", now).With("@cutoff", cutoff),
            cancellationToken) == 1;

    /// <summary>Removes the claim made at <paramref name="claimedAt"/>, and not a later one.</summary>
    public static Task<int> ReleaseAsync(HubConnection db, long listenerId, string sender, long claimedAt, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command("DELETE FROM autoresponder_replies WHERE listener_id = @listener AND sender = @sender AND replied_at = @at")
                .With("@listener", listenerId).With("@sender", sender).With("@at", claimedAt),
            cancellationToken);
}
