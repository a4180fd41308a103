using System.Text.Json.Serialization;

namespace Switchboard.Api;

/// <summary>Source-generated JSON for everything the API writes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApiErrorEnvelope))]
[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
