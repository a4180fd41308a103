using System.Text.Json.Serialization;

namespace Switchboard.Api;

/// <summary>Source-generated JSON for everything the API writes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApiErrorEnvelope))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(Profile))]
[JsonSerializable(typeof(Page<Profile>))]
[JsonSerializable(typeof(DeleteResult))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
