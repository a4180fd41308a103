namespace Switchboard.Events;

/// <summary><c>data_type = "call-log"</c>: a call log record is ready (events.md).</summary>
public sealed record CallLogData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.CallLog;

    /// <summary>The call log record (the call's uuid).</summary>
    public string Uuid { get; set; } = null!;
}

/// <summary><c>data_type = "recording"</c>: a recording is ready (events.md).</summary>
public sealed record RecordingData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.Recording;

    /// <summary>The recording.</summary>
    public string Uuid { get; set; } = null!;

    /// <summary>What was recorded.</summary>
    public RecordingType Type { get; set; }

    /// <summary>Bytes.</summary>
    public long Size { get; set; }

    /// <summary>Seconds.</summary>
    public long Duration { get; set; }
}

/// <summary><c>data_type = "api-error"</c>: a request to the platform's API failed (events.md, account level only).</summary>
public sealed record ApiErrorData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.ApiError;

    /// <summary>The error message.</summary>
    public string Error { get; set; } = null!;

    /// <summary>The failed request.</summary>
    public ApiErrorRequest Request { get; set; } = null!;

    /// <summary>What was answered.</summary>
    public ApiErrorResponse Response { get; set; } = null!;
}

/// <summary>The request of an api-error.</summary>
public sealed record ApiErrorRequest : JsonObjectWithExtra
{
    /// <summary>HTTP method.</summary>
    public string Method { get; set; } = null!;

    /// <summary>Path and query.</summary>
    public string Url { get; set; } = null!;

    /// <summary>Request body size in bytes.</summary>
    public long BodySize { get; set; }
}

/// <summary>The response of an api-error.</summary>
public sealed record ApiErrorResponse : JsonObjectWithExtra
{
    /// <summary>HTTP status.</summary>
    public int Status { get; set; }

    /// <summary>The response body as text.</summary>
    public string Payload { get; set; } = null!;
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
    public long ListenerId { get; set; }

    /// <summary>The disabled callback.</summary>
    public long CallbackId { get; set; }

    /// <summary>Why it was disabled.</summary>
    public string Reason { get; set; } = null!;
}
