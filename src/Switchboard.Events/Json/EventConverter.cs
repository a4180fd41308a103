using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Events;

/// <summary>
/// Lets an <see cref="Event"/> sit inside other serialized types: the envelope's <c>data</c>
/// depends on its sibling <c>data_type</c>, which plain source generation cannot express.
/// </summary>
internal sealed class EventConverter : JsonConverter<Event>
{
    public override Event Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var result = EventJson.Read(document.RootElement);
        return result.Value ?? throw new JsonException(string.Join("; ", result.Errors));
    }

    public override void Write(Utf8JsonWriter writer, Event value, JsonSerializerOptions options) =>
        EventJson.Write(writer, value);
}
