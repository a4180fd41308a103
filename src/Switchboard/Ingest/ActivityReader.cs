using System.Text.Json;
using Switchboard.Api;
using Switchboard.Events;
using Switchboard.Matching;

namespace Switchboard.Ingest;

/// <summary>
/// Reads an activity (ingest.md, Activity) with every broken rule reported by path, the
/// <c>data</c> object checked by the <see cref="EventJson"/> reader for its data type.
/// </summary>
internal static class ActivityReader
{
    public const int MaxIdempotencyKeyLength = 200;

    private static readonly string[] Fields = ["voip_id", "extension_ids", "data_type", "data_object_uuid", "timestamp_ns", "idempotency_key", "data"];

    /// <summary>
    /// The activity, or null with the problems added to <paramref name="errors"/>, their paths
    /// prefixed by <paramref name="prefix"/> (<c>"line 3: "</c> in a batch).
    /// </summary>
    public static Activity? Read(JsonElement root, string prefix, long nowNs, Dictionary<string, string> errors)
    {
        var before = errors.Count;
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.TryAdd(prefix + "$", "must be a JSON object");
            return null;
        }
        foreach (var property in root.EnumerateObject())
        {
            if (Array.IndexOf(Fields, property.Name) < 0)
            {
                errors.TryAdd(prefix + property.Name, "is not a field of an activity");
            }
        }

        var voipId = Integer(root, "voip_id", required: true, prefix, errors) ?? 0;
        var extensionIds = ExtensionIds(root, prefix, errors);
        var dataType = DataTypeOf(root, prefix, errors);
        var timestampNs = Integer(root, "timestamp_ns", required: false, prefix, errors, min: 0) ?? nowNs;
        var key = OptionalString(root, "idempotency_key", MaxIdempotencyKeyLength, prefix, errors);
        var objectUuid = OptionalString(root, "data_object_uuid", 200, prefix, errors);

        EventData? model = null;
        byte[]? data = null;
        if (!root.TryGetProperty("data", out var dataElement))
        {
            errors.TryAdd(prefix + "data", "is required");
        }
        else if (dataElement.ValueKind != JsonValueKind.Object)
        {
            errors.TryAdd(prefix + "data", "must be an object");
        }
        else if (dataType is { } type)
        {
            var read = EventJson.ReadData(type, dataElement, prefix + "data");
            if (read.IsValid)
            {
                model = read.Value;
                data = Compact(dataElement);
            }
            else
            {
                foreach (var error in read.Errors)
                {
                    errors.TryAdd(error.Path, error.Message);
                }
            }
            objectUuid ??= dataElement.TryGetProperty("uuid", out var uuid) && uuid.ValueKind == JsonValueKind.String ? uuid.GetString() : null;
            if (objectUuid is null && !errors.ContainsKey(prefix + "data_object_uuid"))
            {
                errors.TryAdd(prefix + "data_object_uuid", "is required when data has no uuid");
            }
            else if (objectUuid is not null && objectUuid.Contains('\0', StringComparison.Ordinal) && !errors.ContainsKey(prefix + "data_object_uuid"))
            {
                errors.TryAdd(prefix + "data.uuid", FieldErrors.NulMessage);
            }
        }

        if (errors.Count > before || model is null || data is null)
        {
            return null;
        }
        return Activity.Of(voipId, extensionIds, model, data, objectUuid!, timestampNs, key);
    }

    private static byte[] Compact(JsonElement element)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, EventJson.WriterOptions))
        {
            element.WriteTo(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static DataType? DataTypeOf(JsonElement root, string prefix, Dictionary<string, string> errors)
    {
        if (!root.TryGetProperty("data_type", out var value))
        {
            errors.TryAdd(prefix + "data_type", "is required");
            return null;
        }
        // listener-callback events are the hub's own (tags.md): a producer cannot report one.
        if (value.ValueKind != JsonValueKind.String || !EventJson.TryParseDataType(value.GetString(), out var type) || type == DataType.ListenerCallback)
        {
            errors.TryAdd(prefix + "data_type", "must be one of call, message, call-log, recording, api-error");
            return null;
        }
        return type;
    }

    private static long? Integer(JsonElement root, string field, bool required, string prefix, Dictionary<string, string> errors, long min = 1)
    {
        if (!root.TryGetProperty(field, out var value) || (!required && value.ValueKind == JsonValueKind.Null))
        {
            if (required)
            {
                errors.TryAdd(prefix + field, "is required");
            }
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number) || number < min)
        {
            errors.TryAdd(prefix + field, min == 0 ? "must be a non-negative integer" : "must be a positive integer");
            return null;
        }
        return number;
    }

    private static string? OptionalString(JsonElement root, string field, int maxLength, string prefix, Dictionary<string, string> errors)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            errors.TryAdd(prefix + field, "must be a non-empty string");
            return null;
        }
        if (text.Length > maxLength)
        {
            errors.TryAdd(prefix + field, $"must be at most {maxLength} characters");
            return null;
        }
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            errors.TryAdd(prefix + field, FieldErrors.NulMessage);
            return null;
        }
        return text;
    }

    private static long[] ExtensionIds(JsonElement root, string prefix, Dictionary<string, string> errors)
    {
        if (!root.TryGetProperty("extension_ids", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 1000)
        {
            errors.TryAdd(prefix + "extension_ids", "must be an array of at most 1000 extension ids");
            return [];
        }
        var ids = new long[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out ids[i]) || ids[i] < 1)
            {
                errors.TryAdd($"{prefix}extension_ids[{i}]", "must be a positive integer");
            }
            i++;
        }
        return ids;
    }
}
