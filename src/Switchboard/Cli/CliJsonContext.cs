using System.Text.Json.Serialization;

namespace Switchboard.Cli;

[JsonSerializable(typeof(string[]))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
