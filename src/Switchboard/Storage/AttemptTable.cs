namespace Switchboard.Storage;

/// <summary>One of a callback's recent failed attempts, for the owner's notice.</summary>
internal sealed record FailedAttempt(long At, string? Url, int? StatusCode, string Error);

/// <summary>
/// The SQL of the <c>attempts</c> table outside the outbox, which writes them, and retention,
/// which removes them: the last errors an owner notification lists.
/// </summary>
internal static class AttemptTable
{
    /// <summary>The callback's last <paramref name="count"/> failed attempts up to <paramref name="until"/>, newest first.</summary>
    public static Task<List<FailedAttempt>> LastFailedAsync(HubConnection db, long callbackId, long until, int count, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            // Newest first by id: the scan stops after a few rows, as the failures are recent.
            db.Command("SELECT at, url, status_code, error FROM attempts WHERE callback_id = @id AND error IS NOT NULL AND at <= @until ORDER BY id DESC LIMIT @limit")
                .With("@id", callbackId).With("@until", until).With("@limit", count),
            r => new FailedAttempt(r.GetInt64(0), r.GetNullableString(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.GetString(3)),
            cancellationToken);
}
