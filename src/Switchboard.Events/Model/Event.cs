using System.Text.Json;

namespace Switchboard.Events;

/// <summary>
/// One Events v2 event: an activity rendered for one listener (events.md, Envelope).
/// Read it with <see cref="EventJson.Read(string)"/>, write it with <see cref="EventJson.Write(Event)"/>.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(EventConverter))]
public sealed record Event
{
    /// <summary>The version every listener uses today.</summary>
    public const string CurrentVersion = "2.0.0";

    /// <summary>Identifier of this event, unique per (activity, listener); receivers dedupe on it.</summary>
    public required string Uuid { get; init; }

    /// <summary>Format version of the listener.</summary>
    public string Version { get; init; } = CurrentVersion;

    /// <summary>The listener this event was rendered for.</summary>
    public required long ListenerId { get; init; }

    /// <summary>The owner of the listener.</summary>
    public required EventContext Context { get; init; }

    /// <summary>When the activity happened, UNIX seconds: always <c>TimestampNs / 1_000_000_000</c>.</summary>
    public long Timestamp => TimestampNs / 1_000_000_000;

    /// <summary>When the activity happened, UNIX nanoseconds.</summary>
    public required long TimestampNs { get; init; }

    /// <summary>The event's tags, in the order of tags.md.</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>The kind of object in <see cref="Data"/>.</summary>
    public DataType DataType => Data.DataType;

    /// <summary>Identifier of the object in <see cref="Data"/> (the call's uuid for calls).</summary>
    public required string DataObjectUuid { get; init; }

    /// <summary>The object, shaped by <see cref="DataType"/>: switch on its type.</summary>
    public required EventData Data { get; init; }

    /// <summary>Envelope fields this library does not know, kept so they are written back.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>Whose listener an event was rendered for (events.md, context).</summary>
public sealed record EventContext(ContextType Type, long Id, long VoipId)
{
    /// <summary>The context of an account-level listener.</summary>
    public static EventContext Account(long voipId) => new(ContextType.Account, voipId, voipId);

    /// <summary>The context of an extension-level listener.</summary>
    public static EventContext Extension(long voipId, long extensionId) => new(ContextType.Extension, extensionId, voipId);
}
