using System.Text.Json.Serialization;

namespace Switchboard.Events;

/// <summary>
/// Source-generated System.Text.Json metadata for every Events v2 type. Field names are
/// snake_case; nulls are written (events.md: an unknown value is <c>null</c>, never left out).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    // Reading goes through EventJson, which has already checked every field.
    RespectRequiredConstructorParameters = false)]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(CallData))]
[JsonSerializable(typeof(MessageData))]
[JsonSerializable(typeof(CallLogData))]
[JsonSerializable(typeof(RecordingData))]
[JsonSerializable(typeof(ApiErrorData))]
[JsonSerializable(typeof(ListenerCallbackData))]
[JsonSerializable(typeof(Leg))]
public sealed partial class EventsJsonContext : JsonSerializerContext;
