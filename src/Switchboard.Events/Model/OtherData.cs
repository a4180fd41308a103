namespace Switchboard.Events;

/// <summary><c>data_type = "call-log"</c>: a call log record is ready (events.md).</summary>
public sealed record CallLogData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.CallLog;

    /// <summary>The call log record (the call's uuid).</summary>
    public required string Uuid { get; init; }
}

/// <summary><c>data_type = "recording"</c>: a recording is ready (events.md).</summary>
public sealed record RecordingData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.Recording;

    /// <summary>The recording.</summary>
    public required string Uuid { get; init; }

    /// <summary>What was recorded.</summary>
    public required RecordingType Type { get; init; }

    /// <summary>Bytes.</summary>
    public required long Size { get; init; }

    /// <summary>Seconds.</summary>
    public required long Duration { get; init; }
}

/// <summary><c>data_type = "api-error"</c>: a request to the platform's API failed (events.md, account level only).</summary>
public sealed record ApiErrorData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.ApiError;

    /// <summary>The error message.</summary>
    public required string Error { get; init; }

    /// <summary>The failed request.</summary>
    public required ApiErrorRequest Request { get; init; }

    /// <summary>What was answered.</summary>
    public required ApiErrorResponse Response { get; init; }
}

/// <summary>The request of an api-error.</summary>
public sealed record ApiErrorRequest : JsonObjectWithExtra
{
    /// <summary>HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Path and query.</summary>
    public required string Url { get; init; }

    /// <summary>Request body size in bytes.</summary>
    public required long BodySize { get; init; }
}

/// <summary>The response of an api-error.</summary>
public sealed record ApiErrorResponse : JsonObjectWithExtra
{
    /// <summary>HTTP status.</summary>
    public required int Status { get; init; }

    /// <summary>The response body as text.</summary>
    public required string Payload { get; init; }
}

/// <summary>
/// <c>data_type = "listener-callback"</c>: the hub disabled a listener's callback
/// (tags.md, <c>deactivated-listener-callback</c>).
/// </summary>
public sealed record ListenerCallbackData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.ListenerCallback;

    /// <summary>The listener whose callback was disabled.</summary>
    public required long ListenerId { get; init; }

    /// <summary>The disabled callback.</summary>
    public required long CallbackId { get; init; }

    /// <summary>Why it was disabled.</summary>
    public required string Reason { get; init; }
}
