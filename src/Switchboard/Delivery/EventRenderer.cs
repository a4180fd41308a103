using System.Buffers;
using System.Text.Json;
using Switchboard.Events;

namespace Switchboard.Delivery;

/// <summary>
/// Writes the Events v2 JSON of an outbox event (events.md, Envelope): the envelope fields in the
/// order of the fixtures, and the activity's data as it was ingested.
/// </summary>
internal static class EventRenderer
{
    private static readonly JsonEncodedText Uuid = JsonEncodedText.Encode("uuid");
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText ListenerId = JsonEncodedText.Encode("listener_id");
    private static readonly JsonEncodedText Context = JsonEncodedText.Encode("context");
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText VoipId = JsonEncodedText.Encode("voip_id");
    private static readonly JsonEncodedText Account = JsonEncodedText.Encode("account");
    private static readonly JsonEncodedText Extension = JsonEncodedText.Encode("extension");
    private static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText TimestampNs = JsonEncodedText.Encode("timestamp_ns");
    private static readonly JsonEncodedText Tags = JsonEncodedText.Encode("tags");
    private static readonly JsonEncodedText DataType = JsonEncodedText.Encode("data_type");
    private static readonly JsonEncodedText DataObjectUuid = JsonEncodedText.Encode("data_object_uuid");
    private static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");

    public static byte[] Render(OutboxEvent outboxEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(outboxEvent.Activity.Data.Length + 512);
        Render(outboxEvent, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Render(OutboxEvent outboxEvent, IBufferWriter<byte> output)
    {
        var activity = outboxEvent.Activity;
        using var writer = new Utf8JsonWriter(output, EventJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString(Uuid, outboxEvent.Uuid);
        writer.WriteString(Version, outboxEvent.Version);
        writer.WriteNumber(ListenerId, outboxEvent.ListenerId);
        writer.WriteStartObject(Context);
        writer.WriteString(Type, outboxEvent.ExtensionId is null ? Account : Extension);
        writer.WriteNumber(Id, outboxEvent.ExtensionId ?? activity.VoipId);
        writer.WriteNumber(VoipId, activity.VoipId);
        writer.WriteEndObject();
        writer.WriteNumber(Timestamp, activity.TimestampNs / 1_000_000_000);
        writer.WriteNumber(TimestampNs, activity.TimestampNs);
        writer.WriteStartArray(Tags);
        foreach (var tag in activity.Tags)
        {
            writer.WriteStringValue(tag);
        }
        writer.WriteEndArray();
        writer.WriteString(DataType, activity.DataType);
        writer.WriteString(DataObjectUuid, activity.DataObjectUuid);
        writer.WritePropertyName(Data);
        // Checked at ingest and stored compact: written as it is, not parsed again.
        writer.WriteRawValue(activity.Data, skipInputValidation: true);
        writer.WriteEndObject();
    }
}
