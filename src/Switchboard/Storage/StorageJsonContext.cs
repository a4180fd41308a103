using System.Text.Json.Serialization;

namespace Switchboard.Storage;

/// <summary>Source-generated JSON for the JSON-text columns; the same names the API shows.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(ScheduleRule[]))]
[JsonSerializable(typeof(ScheduleException[]))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
