using System.Text.Json.Serialization;

namespace Switchboard.Events;

#pragma warning disable CS1591 // Members are the spec's own words.

/// <summary>The kind of object an event carries (events.md).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DataType>))]
public enum DataType
{
    [JsonStringEnumMemberName("call")] Call,
    [JsonStringEnumMemberName("message")] Message,
    [JsonStringEnumMemberName("call-log")] CallLog,
    [JsonStringEnumMemberName("recording")] Recording,
    [JsonStringEnumMemberName("api-error")] ApiError,
    /// <summary>Emitted by the hub when it disables a callback (tags.md).</summary>
    [JsonStringEnumMemberName("listener-callback")] ListenerCallback,
}

/// <summary>Owner kind of a listener.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ContextType>))]
public enum ContextType
{
    [JsonStringEnumMemberName("account")] Account,
    [JsonStringEnumMemberName("extension")] Extension,
}

/// <summary>Direction of a call or message.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Direction>))]
public enum Direction
{
    [JsonStringEnumMemberName("inbound")] Inbound,
    [JsonStringEnumMemberName("outbound")] Outbound,
}

/// <summary>State of a call leg, in the order every leg goes through.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LegState>))]
public enum LegState
{
    [JsonStringEnumMemberName("new")] New,
    [JsonStringEnumMemberName("connecting")] Connecting,
    [JsonStringEnumMemberName("connected")] Connected,
    [JsonStringEnumMemberName("completed")] Completed,
}

/// <summary>How a completed leg ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CompletionStatus>))]
public enum CompletionStatus
{
    [JsonStringEnumMemberName("success")] Success,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("busy")] Busy,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>What a call participant is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ParticipantType>))]
public enum ParticipantType
{
    [JsonStringEnumMemberName("did")] Did,
    [JsonStringEnumMemberName("device")] Device,
    [JsonStringEnumMemberName("extension")] Extension,
}

/// <summary>SMS or MMS.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MessageType>))]
public enum MessageType
{
    [JsonStringEnumMemberName("sms")] Sms,
    [JsonStringEnumMemberName("mms")] Mms,
}

/// <summary>What a recording recorded.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecordingType>))]
public enum RecordingType
{
    [JsonStringEnumMemberName("call")] Call,
    [JsonStringEnumMemberName("voicemail")] Voicemail,
}
