using System.Buffers;
using System.Text.Json;
using Switchboard.Events;

namespace Switchboard.Simulate;

/// <summary>
/// Writes activities as NDJSON lines for <c>POST /v4/ingest</c> (ingest.md, Activity): the
/// envelope here, <c>data</c> by the Events library's source-generated writer.
/// </summary>
internal sealed class ActivityLines : IDisposable
{
    private static readonly JsonEncodedText VoipId = JsonEncodedText.Encode("voip_id");
    private static readonly JsonEncodedText ExtensionIds = JsonEncodedText.Encode("extension_ids");
    private static readonly JsonEncodedText DataType = JsonEncodedText.Encode("data_type");
    private static readonly JsonEncodedText DataObjectUuid = JsonEncodedText.Encode("data_object_uuid");
    private static readonly JsonEncodedText TimestampNs = JsonEncodedText.Encode("timestamp_ns");
    private static readonly JsonEncodedText IdempotencyKey = JsonEncodedText.Encode("idempotency_key");
    private static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");

    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _writer;

    public ActivityLines() => _writer = new Utf8JsonWriter(_buffer, EventJson.WriterOptions);

    public int Count { get; private set; }

    /// <summary>The NDJSON body so far.</summary>
    public ReadOnlyMemory<byte> Body => _buffer.WrittenMemory;

    public void Add(long voipId, SimulatedActivity activity, long timestampNs, string idempotencyKey)
    {
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteNumber(VoipId, voipId);
        if (activity.ExtensionIds is { } extensionIds)
        {
            _writer.WriteStartArray(ExtensionIds);
            foreach (var id in extensionIds)
            {
                _writer.WriteNumberValue(id);
            }
            _writer.WriteEndArray();
        }
        _writer.WriteString(DataType, activity.Data.DataType.Name());
        if (activity.DataObjectUuid is { } uuid)
        {
            _writer.WriteString(DataObjectUuid, uuid);
        }
        _writer.WriteNumber(TimestampNs, timestampNs);
        _writer.WriteString(IdempotencyKey, idempotencyKey);
        _writer.WritePropertyName(Data);
        EventJson.WriteData(_writer, activity.Data);
        _writer.WriteEndObject();
        _writer.Flush();
        _buffer.Write("\n"u8);
        Count++;
    }

    public void Clear()
    {
        _buffer.ResetWrittenCount();
        Count = 0;
    }

    public void Dispose() => _writer.Dispose();
}
