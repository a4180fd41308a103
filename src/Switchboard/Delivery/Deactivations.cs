using Switchboard.Events;
using Switchboard.Ingest;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// After a callback is disabled (delivery.md, Deactivation): the index forgets its listeners, and
/// for each of them a <c>deactivated-listener-callback</c> event goes to every other listener of
/// the account subscribed to it (tags.md).
/// </summary>
internal sealed partial class Deactivations(HubDatabase database, ListenerIndex index, ActivityWriter writer, TimeProvider clock, ILogger<Deactivations> logger)
{
    public async Task AnnounceAsync(IndexedCallback callback, string reason, CancellationToken cancellationToken)
    {
        var voipId = callback.Row.VoipId;
        LogDisabled(logger, callback.Id, voipId, reason);
        await index.ReloadAsync(voipId, cancellationToken);
        List<long> listeners;
        await using (var db = await database.ConnectAsync(cancellationToken))
        {
            listeners = await HubConnection.ListAsync(
                db.Command("SELECT id FROM listeners WHERE callback_id = @id ORDER BY id").With("@id", callback.Id), r => r.GetInt64(0), cancellationToken);
        }
        var now = clock.GetUtcNow();
        var activities = new List<Activity>();
        foreach (var listenerId in listeners)
        {
            var data = new ListenerCallbackData { ListenerId = listenerId, CallbackId = callback.Id, Reason = reason };
            var tags = EventTagger.Tag(data);
            var activity = new Activity(
                voipId, [], DataType.ListenerCallback, Guid.CreateVersion7(now).ToString(), now.ToUnixTimeMilliseconds() * 1_000_000, null,
                data, EventJsonData(data), tags, TagSet.Of(tags));
            activity.Listeners = [.. index.Match(activity, now.ToUnixTimeSeconds()).Where(l => l.Id != listenerId && l.CallbackId != callback.Id)];
            activities.Add(activity);
        }
        if (activities.Count > 0)
        {
            await writer.SubmitAsync(activities);
        }
    }

    private static byte[] EventJsonData(EventData data)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, EventJson.WriterOptions))
        {
            EventJson.WriteData(json, data);
        }
        return buffer.WrittenSpan.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disabled callback {CallbackId} of account {VoipId}: {Reason}")]
    private static partial void LogDisabled(ILogger logger, long callbackId, long voipId, string reason);
}
