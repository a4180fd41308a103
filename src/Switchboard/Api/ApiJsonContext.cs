using System.Text.Json.Serialization;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>Source-generated JSON for everything the API writes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApiErrorEnvelope))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(Profile))]
[JsonSerializable(typeof(Page<Profile>))]
[JsonSerializable(typeof(ProfileRequest))]
[JsonSerializable(typeof(Callback))]
[JsonSerializable(typeof(Page<Callback>))]
[JsonSerializable(typeof(CallbackRequest))]
[JsonSerializable(typeof(DeleteResult))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
