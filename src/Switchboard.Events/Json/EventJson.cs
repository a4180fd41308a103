using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchboard.Events;

/// <summary>
/// Reading and writing Events v2 JSON. Reading is strict: invalid input never throws, it answers
/// every broken rule with its JSON path. Writing produces compact JSON that reads back equal.
/// </summary>
public static class EventJson
{
    /// <summary>
    /// How input is read: as <see cref="JsonDocument"/> read it before the reader became one pass,
    /// so the same input is refused with the same message and position.
    /// </summary>
    private static readonly JsonReaderOptions StrictOptions = new() { MaxDepth = 64 };

    /// <summary>
    /// How the bytes of an already parsed <see cref="JsonElement"/> are read again: whatever the
    /// document allowed (comments, trailing commas, depth) was checked when it was parsed.
    /// </summary>
    private static readonly JsonReaderOptions ParsedOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = int.MaxValue,
    };

    /// <summary>
    /// How events are written: compact, and without escaping <c>+</c> or non-ASCII text, so phone
    /// numbers and names stay readable. Quotes and control characters are still escaped.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads one event from UTF-8 JSON.</summary>
    public static ReadResult<Event> Read(ReadOnlyMemory<byte> utf8Json) => Read(utf8Json.Span, StrictOptions);

    /// <summary>Reads one event from JSON text.</summary>
    public static ReadResult<Event> Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Read(System.Text.Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Reads one event from a stream of UTF-8 JSON.</summary>
    public static async Task<ReadResult<Event>> ReadAsync(Stream utf8Json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        using var buffer = new MemoryStream();
        await utf8Json.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        // JsonDocument.ParseAsync, which read streams before, skipped a byte order mark.
        return Read(bytes.Span.StartsWith(Utf8ByteOrderMark) ? bytes[Utf8ByteOrderMark.Length..] : bytes);
    }

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>Reads one event from parsed JSON.</summary>
    public static ReadResult<Event> Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ReadResult<Event>.Invalid([new ValidationError("$", $"must be an object, not {FieldRules.Describe(root.ValueKind)}")]);
        }
        return Read(JsonMarshal.GetRawUtf8Value(root), ParsedOptions);
    }

    private static ReadResult<Event> Read(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
    {
        try
        {
            var reader = new EventReader(utf8, options);
            return reader.ReadEvent();
        }
        catch (JsonException e)
        {
            return ReadResult<Event>.Invalid([NotJson(e)]);
        }
    }

    /// <summary>
    /// Reads a bare <c>data</c> object of the given type, as an activity carries it (ingest.md).
    /// <paramref name="path"/> prefixes the paths of the errors.
    /// </summary>
    public static ReadResult<EventData> ReadData(DataType dataType, JsonElement data, string path = "data")
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return ReadResult<EventData>.Invalid([new ValidationError(path, $"must be an object, not {FieldRules.Describe(data.ValueKind)}")]);
        }
        try
        {
            var reader = new EventReader(JsonMarshal.GetRawUtf8Value(data), ParsedOptions);
            return reader.ReadData(dataType, path);
        }
        catch (JsonException e)
        {
            // Not expected: the element was parsed already. Report it rather than throw.
            return ReadResult<EventData>.Invalid([new ValidationError(path, e.Message)]);
        }
    }

    /// <summary>The data type named by a <c>data_type</c> value, if it is one.</summary>
    public static bool TryParseDataType(string? name, out DataType dataType)
    {
        var i = Array.IndexOf(ClosedSet.DataType.Names, name);
        dataType = (DataType)Math.Max(i, 0);
        return i >= 0;
    }

    /// <summary>The <c>data_type</c> value of a data type.</summary>
    public static string Name(this DataType dataType) => ClosedSet.DataType.Names[(int)dataType];

    private static ValidationError NotJson(JsonException e) =>
        new("$", $"is not valid JSON: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.')}"
            + $" (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1})");

    /// <summary>Writes the event as compact JSON.</summary>
    public static void Write(Utf8JsonWriter writer, Event value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString(Names.Uuid, value.Uuid);
        writer.WriteString(Names.Version, value.Version);
        writer.WriteNumber(Names.ListenerId, value.ListenerId);
        writer.WriteStartObject(Names.Context);
        writer.WriteString(Names.Type, value.Context.Type == ContextType.Account ? Names.Account : Names.Extension);
        writer.WriteNumber(Names.Id, value.Context.Id);
        writer.WriteNumber(Names.VoipId, value.Context.VoipId);
        writer.WriteEndObject();
        writer.WriteNumber(Names.Timestamp, value.Timestamp);
        writer.WriteNumber(Names.TimestampNs, value.TimestampNs);
        writer.WriteStartArray(Names.Tags);
        foreach (var tag in value.Tags)
        {
            writer.WriteStringValue(tag);
        }
        writer.WriteEndArray();
        writer.WriteString(Names.DataType, value.DataType.Name());
        writer.WriteString(Names.DataObjectUuid, value.DataObjectUuid);
        writer.WritePropertyName(Names.Data);
        WriteData(writer, value.Data);
        if (value.Extra is not null)
        {
            foreach (var (name, extraValue) in value.Extra)
            {
                writer.WritePropertyName(name);
                extraValue.WriteTo(writer);
            }
        }
        writer.WriteEndObject();
    }

    /// <summary>Writes a bare <c>data</c> object.</summary>
    public static void WriteData(Utf8JsonWriter writer, EventData data)
    {
        var context = EventsJsonContext.Default;
        switch (data)
        {
            case CallData call: JsonSerializer.Serialize(writer, call, context.CallData); break;
            case MessageData message: JsonSerializer.Serialize(writer, message, context.MessageData); break;
            case CallLogData callLog: JsonSerializer.Serialize(writer, callLog, context.CallLogData); break;
            case RecordingData recording: JsonSerializer.Serialize(writer, recording, context.RecordingData); break;
            case ApiErrorData apiError: JsonSerializer.Serialize(writer, apiError, context.ApiErrorData); break;
            case ListenerCallbackData listenerCallback: JsonSerializer.Serialize(writer, listenerCallback, context.ListenerCallbackData); break;
            default: throw new ArgumentException($"Unknown data object {data.GetType().Name}.", nameof(data));
        }
    }

    /// <summary>Writes the event into a buffer, e.g. a pooled one.</summary>
    public static void Write(IBufferWriter<byte> output, Event value, bool indented = false)
    {
        using var writer = new Utf8JsonWriter(output, indented ? IndentedOptions : WriterOptions);
        Write(writer, value);
    }

    /// <summary>The event as compact UTF-8 JSON.</summary>
    public static byte[] Write(Event value)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The event as JSON text, compact or indented.</summary>
    public static string WriteString(Event value, bool indented = false)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(buffer, value, indented);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static readonly JsonWriterOptions IndentedOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    private static class Names
    {
        public static readonly JsonEncodedText Uuid = JsonEncodedText.Encode("uuid");
        public static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
        public static readonly JsonEncodedText ListenerId = JsonEncodedText.Encode("listener_id");
        public static readonly JsonEncodedText Context = JsonEncodedText.Encode("context");
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText VoipId = JsonEncodedText.Encode("voip_id");
        public static readonly JsonEncodedText Account = JsonEncodedText.Encode("account");
        public static readonly JsonEncodedText Extension = JsonEncodedText.Encode("extension");
        public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("timestamp");
        public static readonly JsonEncodedText TimestampNs = JsonEncodedText.Encode("timestamp_ns");
        public static readonly JsonEncodedText Tags = JsonEncodedText.Encode("tags");
        public static readonly JsonEncodedText DataType = JsonEncodedText.Encode("data_type");
        public static readonly JsonEncodedText DataObjectUuid = JsonEncodedText.Encode("data_object_uuid");
        public static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
    }
}
