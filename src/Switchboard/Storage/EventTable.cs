using System.Data.Common;
using System.Text;
using System.Text.Json;
using Switchboard.Delivery;

namespace Switchboard.Storage;

/// <summary>
/// One row of a listener's delivery log: the event, the activity fields it shows, and where its
/// delivery stands. Times are UNIX milliseconds.
/// </summary>
internal sealed record LoggedEvent(
    long Id, string Uuid, long ListenerId, long? ExtensionId, string Version, long CallbackId, string Status, int Attempts,
    long NextAttemptAt, long? LastAttemptAt, string? StatusReason, long ActivityId, long VoipId, string DataType, string DataObjectUuid, long TimestampNs, string[] Tags);

/// <summary>One delivery attempt of an event (api.md, Deliveries); <see cref="At"/> in UNIX milliseconds.</summary>
internal sealed record LoggedAttempt(long At, long CallbackId, string? Url, int? StatusCode, int DurationMs, string? Error);

/// <summary>The SQL of the delivery log: the <c>events</c> rows of a listener with their activities, and their <c>attempts</c>.</summary>
internal static class EventTable
{
    private const string Columns = """
        e.id, e.uuid, e.listener_id, e.extension_id, e.version, e.callback_id, e.status, e.attempts, e.next_attempt_at, e.last_attempt_at, e.status_reason,
        a.id, a.voip_id, a.data_type, a.data_object_uuid, a.timestamp_ns, a.tags
        """;

    /// <summary>
    /// A page of the listener's events, newest (highest id) first. The activity is joined only
    /// for its fields and a <paramref name="dataType"/> filter; the count leaves it out without one.
    /// Both walk events_by_listener: an index on status would move an entry on every delivery
    /// outcome, a cost on the delivery path paid for an occasional read.
    /// </summary>
    public static async Task<PageRows<LoggedEvent>> PageAsync(
        HubConnection db, long listenerId, string? status, string? dataType, int limit, int offset, CancellationToken cancellationToken)
    {
        var where = new StringBuilder("e.listener_id = @listener_id");
        if (status is not null)
        {
            where.Append(" AND e.status = @status");
        }
        if (dataType is not null)
        {
            where.Append(" AND a.data_type = @data_type");
        }
        DbCommand Command(string sql)
        {
            var command = db.Command(sql).With("@listener_id", listenerId);
            if (status is not null)
            {
                command.With("@status", status);
            }
            return dataType is null ? command : command.With("@data_type", dataType);
        }

        var join = "JOIN activities a ON a.id = e.activity_id";
        var total = await HubConnection.Int64Async(Command($"SELECT COUNT(*) FROM events e {(dataType is null ? "" : join)} WHERE {where}"), cancellationToken);
        var items = total <= offset
            ? []
            : await HubConnection.ListAsync(
                Command($"SELECT {Columns} FROM events e {join} WHERE {where} ORDER BY e.id DESC LIMIT @limit OFFSET @offset")
                    .With("@limit", limit).With("@offset", offset),
                Read, cancellationToken);
        return new PageRows<LoggedEvent>(total, items);
    }

    /// <summary>The listener's event with this uuid and its activity's data, or null.</summary>
    public static async Task<(LoggedEvent Event, byte[] Data)?> FindAsync(HubConnection db, long listenerId, string uuid, CancellationToken cancellationToken)
    {
        var found = await HubConnection.ListAsync(
            db.Command($"SELECT {Columns}, a.data FROM events e JOIN activities a ON a.id = e.activity_id WHERE e.uuid = @uuid AND e.listener_id = @listener_id")
                .With("@uuid", uuid).With("@listener_id", listenerId),
            reader => (Read(reader), Encoding.UTF8.GetBytes(reader.GetString(17))),
            cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>Every attempt of the event, oldest first.</summary>
    public static Task<List<LoggedAttempt>> AttemptsAsync(HubConnection db, long eventId, CancellationToken cancellationToken) =>
        HubConnection.ListAsync(
            db.Command("SELECT at, callback_id, url, status_code, duration_ms, error FROM attempts WHERE event_id = @event_id ORDER BY id").With("@event_id", eventId),
            reader => new LoggedAttempt(reader.GetInt64(0), reader.GetInt64(1), reader.GetNullableString(2),
                reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetInt32(4), reader.GetNullableString(5)),
            cancellationToken);

    /// <summary>
    /// Queues a settled event again, in one statement so that two requests cannot both queue it:
    /// pending, due now, with a fresh count of tries, back with the listener's own callback (the
    /// fallback chain starts over). The event's id, or null when it is still pending or not there.
    /// </summary>
    public static async Task<long?> RedeliverAsync(HubConnection db, long listenerId, string uuid, long nowMs, CancellationToken cancellationToken)
    {
        var ids = await HubConnection.ListAsync(
            db.Command("""
                UPDATE events SET status = 'pending', tries = 0, next_attempt_at = @now, status_reason = NULL,
                    callback_id = COALESCE((SELECT l.callback_id FROM listeners l WHERE l.id = events.listener_id), callback_id)
                WHERE uuid = @uuid AND listener_id = @listener_id AND status <> 'pending'
                RETURNING id
                """).With("@uuid", uuid).With("@listener_id", listenerId).With("@now", nowMs),
            reader => reader.GetInt64(0), cancellationToken);
        return ids.Count == 0 ? null : ids[0];
    }

    /// <summary>The outbox event a row stands for, as <see cref="EventRenderer"/> renders it.</summary>
    public static OutboxEvent ToOutboxEvent(LoggedEvent row, byte[] data) => new(
        row.Id, row.Uuid, new StoredActivity(row.ActivityId, row.VoipId, row.DataType, row.DataObjectUuid, row.TimestampNs, row.Tags, data),
        row.ListenerId, row.ExtensionId, row.Version, row.CallbackId);

    private static LoggedEvent Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetNullableInt64(3), reader.GetString(4), reader.GetInt64(5),
        reader.GetString(6), reader.GetInt32(7), reader.GetInt64(8), reader.GetNullableInt64(9), reader.GetNullableString(10),
        reader.GetInt64(11), reader.GetInt64(12), reader.GetString(13), reader.GetString(14), reader.GetInt64(15),
        JsonSerializer.Deserialize(reader.GetString(16), StorageJsonContext.Default.StringArray)!);
}
