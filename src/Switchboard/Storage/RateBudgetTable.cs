using Switchboard.Delivery;

namespace Switchboard.Storage;

/// <summary>
/// The SQL of <c>rate_budgets</c> (migration 0011): one rate-limit window per callback that every
/// node takes its sends from, where nodes share the database (scaling.md, "Limits are global").
/// </summary>
internal static class RateBudgetTable
{
    /// <summary>
    /// Counts up to <paramref name="wanted"/> sends of the callback in its shared window at
    /// <paramref name="now"/>; how many it counted, and when a full window may have room again.
    /// The row is locked from its read to the commit, so two nodes taking at once take one after
    /// the other and never more than the limit between them. Three round trips.
    /// </summary>
    public static async Task<(int Granted, long RetryAt)> TakeAsync(
        HubConnection db, long callbackId, int number, long periodMs, int wanted, long now, CancellationToken cancellationToken)
    {
        await db.BeginAsync(cancellationToken);
        // An upsert that changes nothing: it creates the row the first time and locks it either way.
        var saved = await HubConnection.FirstOrDefaultAsync(
            db.Command("""
                INSERT INTO rate_budgets (callback_id, period_ms, bucket, counts) VALUES (@id, @period, @bucket, '')
                ON CONFLICT (callback_id) DO UPDATE SET period_ms = rate_budgets.period_ms
                RETURNING period_ms, bucket, counts
                """).With("@id", callbackId).With("@period", periodMs).With("@bucket", long.MinValue),
            r => new SavedWindow(r.GetInt64(0), r.GetInt64(1), r.GetString(2)), cancellationToken);
        var window = RateLimitWindow.Restore(periodMs, saved!.PeriodMs, saved.Bucket, saved.Counts);
        var granted = window.Take(number, now, wanted);
        var (bucket, counts) = window.Save();
        await HubConnection.ExecuteAsync(
            db.Command("UPDATE rate_budgets SET period_ms = @period, bucket = @bucket, counts = @counts WHERE callback_id = @id")
                .With("@id", callbackId).With("@period", periodMs).With("@bucket", bucket).With("@counts", counts),
            cancellationToken);
        await db.CommitAsync(cancellationToken);
        return (granted, window.NextBucketAt(now));
    }

    private sealed record SavedWindow(long PeriodMs, long Bucket, string Counts);
}
