using System.Text.Json.Serialization;

namespace Switchboard.Events;

/// <summary>
/// A call or message party (events.md, participant). A <c>did</c> has exactly <c>type</c> and
/// <c>id</c> (a phone number); a <c>device</c> adds line, domain, extension_id and extension; an
/// <c>extension</c> adds extension_id and extension.
/// </summary>
public sealed record Participant : JsonObjectWithExtra
{
    /// <summary>What the participant is.</summary>
    public ParticipantType Type { get; set; }

    /// <summary>The phone number (a JSON string) for <c>did</c>, the device or extension id (a JSON number) otherwise.</summary>
    public ParticipantId Id { get; set; }

    /// <summary>The device line (device only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Line { get; set; }

    /// <summary>The SIP domain (device only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Domain { get; set; }

    /// <summary>The extension's id (device and extension).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ExtensionId { get; set; }

    /// <summary>The extension's dialable number (device and extension).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Extension { get; set; }

    /// <summary>A phone number participant.</summary>
    public static Participant Did(string e164) => new() { Type = ParticipantType.Did, Id = ParticipantId.Of(e164) };
}
