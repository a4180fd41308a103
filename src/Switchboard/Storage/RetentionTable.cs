namespace Switchboard.Storage;

/// <summary>
/// The SQL of retention (delivery.md, Retention): removing old activities with their events'
/// rows and attempts, and the delivery log of deleted listeners, a small batch per call. An event
/// is never removed while pending, so neither is its activity.
/// </summary>
internal static class RetentionTable
{
    /// <summary>
    /// Looks at up to <paramref name="limit"/> activities acknowledged before <paramref name="beforeMs"/>,
    /// oldest first from after <paramref name="after"/> (created_at, id), and removes those with
    /// nothing pending. How many went, and where the next batch starts (null when none was left).
    /// </summary>
    public static async Task<(int Removed, (long CreatedAt, long Id)? Next)> RemoveActivitiesAsync(
        HubConnection db, long beforeMs, (long CreatedAt, long Id) after, int limit, CancellationToken cancellationToken)
    {
        var old = await HubConnection.ListAsync(
            db.Command("""
                SELECT a.id, a.targets, a.created_at, EXISTS (SELECT 1 FROM open_activities o WHERE o.activity_id = a.id) FROM activities a
                WHERE a.created_at < @before AND (a.created_at, a.id) > (@after_at, @after_id)
                ORDER BY a.created_at, a.id LIMIT @limit
                """).With("@before", beforeMs).With("@after_at", after.CreatedAt).With("@after_id", after.Id).With("@limit", limit),
            r => (Id: r.GetInt64(0), Targets: TargetsJson.Read(r.GetString(1)), CreatedAt: r.GetInt64(2), Open: r.GetBoolean(3)), cancellationToken);
        await using var pending = db.Command("SELECT 1 FROM deliveries WHERE listener_id = @l AND activity_id = @a AND status = 'pending'").With("@l", 0L).With("@a", 0L);
        await using var attempts = db.Command("DELETE FROM attempts WHERE listener_id = @l AND activity_id = @a").With("@l", 0L).With("@a", 0L);
        await using var deliveries = db.Command("DELETE FROM deliveries WHERE listener_id = @l AND activity_id = @a").With("@l", 0L).With("@a", 0L);
        await using var activity = db.Command("DELETE FROM activities WHERE id = @a").With("@a", 0L);
        var removed = 0;
        foreach (var (id, targets, _, open) in old)
        {
            var keep = open;
            foreach (var target in targets)
            {
                pending.Parameters[0].Value = target.ListenerId;
                pending.Parameters[1].Value = id;
                keep |= await pending.ExecuteScalarAsync(cancellationToken) is not null;
            }
            if (keep)
            {
                continue;
            }
            foreach (var command in new[] { attempts, deliveries })
            {
                foreach (var target in targets)
                {
                    command.Parameters[0].Value = target.ListenerId;
                    command.Parameters[1].Value = id;
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            activity.Parameters[0].Value = id;
            await activity.ExecuteNonQueryAsync(cancellationToken);
            removed++;
        }
        return (removed, old.Count == 0 ? null : (old[^1].CreatedAt, old[^1].Id));
    }

    /// <summary>
    /// Removes up to <paramref name="limit"/> settled rows of deleted listeners with their
    /// attempts, and their e-mail unsubscribes and autoresponder replies; a listener leaves the list
    /// once nothing of it is left. How many rows went.
    /// </summary>
    public static async Task<int> RemoveDeletedListenersAsync(HubConnection db, int limit, CancellationToken cancellationToken)
    {
        var listeners = await HubConnection.ListAsync(db.Command("SELECT listener_id FROM deleted_listeners ORDER BY listener_id LIMIT 10"), r => r.GetInt64(0), cancellationToken);
        var removed = 0;
        foreach (var listenerId in listeners)
        {
            var settled = await HubConnection.ListAsync(
                db.Command("SELECT activity_id FROM deliveries WHERE listener_id = @l AND status <> 'pending' ORDER BY activity_id LIMIT @limit").With("@l", listenerId).With("@limit", limit - removed),
                r => r.GetInt64(0), cancellationToken);
            foreach (var activityId in settled)
            {
                await HubConnection.ExecuteAsync(db.Command("DELETE FROM attempts WHERE listener_id = @l AND activity_id = @a").With("@l", listenerId).With("@a", activityId), cancellationToken);
                await HubConnection.ExecuteAsync(db.Command("DELETE FROM deliveries WHERE listener_id = @l AND activity_id = @a").With("@l", listenerId).With("@a", activityId), cancellationToken);
            }
            removed += settled.Count;
            if (removed >= limit)
            {
                break;
            }
            await HubConnection.ExecuteAsync(db.Command("DELETE FROM email_unsubscribes WHERE listener_id = @l").With("@l", listenerId), cancellationToken);
            await HubConnection.ExecuteAsync(db.Command("DELETE FROM autoresponder_replies WHERE listener_id = @l").With("@l", listenerId), cancellationToken);
            // Pending events of it settle later; their rows then go with their activities' retention.
            await HubConnection.ExecuteAsync(db.Command("DELETE FROM deleted_listeners WHERE listener_id = @l").With("@l", listenerId), cancellationToken);
        }
        return removed;
    }
}
