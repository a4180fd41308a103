using System.Buffers;
using System.Text.Json;
using Switchboard.Matching;

namespace Switchboard.Storage;

/// <summary>
/// An acknowledged activity as stored: what every event rendered from it shares, and the
/// listeners it was matched to at ingest. <see cref="CreatedAt"/> (UNIX ms) is when it was acknowledged.
/// </summary>
internal sealed record StoredActivity(
    long Id, long VoipId, string DataType, string DataObjectUuid, long TimestampNs, string[] Tags, byte[] Data, long CreatedAt, IReadOnlyList<EventTarget> Targets)
{
    /// <summary>The trace of the ingest request, while the process that took it lives; none once read back from storage.</summary>
    public System.Diagnostics.ActivityContext Trace { get; init; }
}

/// <summary>The <c>activities.targets</c> column: <c>[[listener_id, callback_id, extension_id, version], …]</c>, with a fifth element <c>true</c> for an ordered listener.</summary>
internal static class TargetsJson
{
    public static string Write(IReadOnlyList<EventTarget> targets)
    {
        if (targets.Count == 0)
        {
            return "[]";
        }
        var buffer = new ArrayBufferWriter<byte>(targets.Count * 32);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var target in targets)
            {
                json.WriteStartArray();
                json.WriteNumberValue(target.ListenerId);
                json.WriteNumberValue(target.CallbackId);
                if (target.ExtensionId is { } extension)
                {
                    json.WriteNumberValue(extension);
                }
                else
                {
                    json.WriteNullValue();
                }
                json.WriteStringValue(target.Version);
                if (target.Ordered)
                {
                    json.WriteBooleanValue(true);
                }
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static EventTarget[] Read(string text)
    {
        if (text == "[]")
        {
            return [];
        }
        var targets = new List<EventTarget>();
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
        {
            reader.Read();
            var listenerId = reader.GetInt64();
            reader.Read();
            var callbackId = reader.GetInt64();
            reader.Read();
            long? extensionId = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();
            reader.Read();
            var version = reader.GetString()!;
            reader.Read();
            var ordered = reader.TokenType == JsonTokenType.True;
            if (ordered)
            {
                reader.Read();
            }
            targets.Add(new EventTarget(listenerId, callbackId, extensionId, version, ordered));
        }
        return [.. targets];
    }
}
