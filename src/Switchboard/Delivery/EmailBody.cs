using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// What an EMAIL callback's message says (delivery.md, EMAIL callbacks): the subject, and the body
/// in <c>json</c> or <c>text</c> mode, both made from the event JSON as delivered over HTTP.
/// </summary>
internal static class EmailBody
{
    private static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    /// <summary><c>[Switchboard] &lt;data_type&gt; &lt;first tag after the data type tag&gt; &lt;data_object_uuid&gt;</c>.</summary>
    public static string Subject(StoredActivity activity)
    {
        var tag = activity.Tags.FirstOrDefault(t => t != activity.DataType);
        return tag is null
            ? $"[Switchboard] {activity.DataType} {activity.DataObjectUuid}"
            : $"[Switchboard] {activity.DataType} {tag} {activity.DataObjectUuid}";
    }

    /// <summary>The event pretty-printed, with <c>unsubscribe_link</c> added as its last top-level field.</summary>
    public static string Json(ReadOnlyMemory<byte> eventJson, string unsubscribeLink)
    {
        using var document = JsonDocument.Parse(eventJson);
        var buffer = new ArrayBufferWriter<byte>(eventJson.Length * 2);
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                property.WriteTo(writer);
            }
            writer.WriteString("unsubscribe_link", unsubscribeLink);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// One <c>Label: value</c> line per leaf field in the event's field order, nested names joined
    /// with <c> / </c>, array items as <c>Name [i]</c>, and the unsubscribe link last
    /// (fixtures/events/api-error-email-text.txt is an exact example). A null, an empty array
    /// and an empty object are leaves with an empty value, so every field shows.
    /// </summary>
    public static string Text(ReadOnlyMemory<byte> eventJson, string unsubscribeLink)
    {
        using var document = JsonDocument.Parse(eventJson);
        var text = new StringBuilder(eventJson.Length * 2);
        Walk(text, "", document.RootElement);
        text.Append("Unsubscribe link: ").Append(unsubscribeLink);
        return text.ToString();
    }

    private static void Walk(StringBuilder text, string label, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when value.EnumerateObject().Any():
                foreach (var property in value.EnumerateObject())
                {
                    Walk(text, label.Length == 0 ? Label(property.Name) : label + " / " + Label(property.Name), property.Value);
                }
                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Walk(text, $"{label} [{i++}]", item);
                }
                break;
            default:
                text.Append(label).Append(':');
                var leaf = Leaf(value);
                if (leaf.Length > 0)
                {
                    text.Append(' ').Append(leaf);
                }
                text.Append('\n');
                break;
        }
    }

    private static string Leaf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "",
    };

    /// <summary>
    /// <c>data_object_uuid</c> → <c>Data object UUID</c>: words split at <c>_</c>, the first
    /// capitalised, <c>id</c> and <c>uuid</c> in capitals wherever they stand.
    /// </summary>
    public static string Label(string name)
    {
        var words = name.Split('_');
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = words[i] switch
            {
                "id" => "ID",
                "uuid" => "UUID",
                var word when i == 0 && word.Length > 0 => char.ToUpperInvariant(word[0]) + word[1..],
                var word => word,
            };
        }
        return string.Join(' ', words);
    }
}
