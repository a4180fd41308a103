using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Events;

/// <summary>
/// A participant's <c>id</c>, which keeps its JSON kind: a string for a phone number,
/// an integer for a device or extension (events.md: never write <c>"id": "555555"</c>).
/// </summary>
[JsonConverter(typeof(ParticipantIdConverter))]
public readonly record struct ParticipantId
{
    private ParticipantId(string? text, long number)
    {
        Text = text;
        Number = number;
    }

    /// <summary>The text when the id is a JSON string, otherwise null.</summary>
    public string? Text { get; }

    /// <summary>The number when the id is a JSON number.</summary>
    public long Number { get; }

    /// <summary>True when the id is a JSON number.</summary>
    public bool IsNumber => Text is null;

    /// <summary>An id written as a JSON string (a phone number).</summary>
    public static ParticipantId Of(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), 0);

    /// <summary>An id written as a JSON number (a device or extension id).</summary>
    public static ParticipantId Of(long number) => new(null, number);

    /// <inheritdoc />
    public override string ToString() => Text ?? Number.ToString(CultureInfo.InvariantCulture);
}

internal sealed class ParticipantIdConverter : JsonConverter<ParticipantId>
{
    public override ParticipantId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => ParticipantId.Of(reader.GetString()!),
            JsonTokenType.Number => ParticipantId.Of(reader.GetInt64()),
            _ => throw new JsonException("a participant id must be a string or an integer"),
        };

    public override void Write(Utf8JsonWriter writer, ParticipantId value, JsonSerializerOptions options)
    {
        if (value.IsNumber)
        {
            writer.WriteNumberValue(value.Number);
        }
        else
        {
            writer.WriteStringValue(value.Text);
        }
    }
}
