namespace Switchboard.Events;

/// <summary><c>data_type = "message"</c>: an SMS or MMS (events.md).</summary>
public sealed record MessageData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.Message;

    /// <summary>The message.</summary>
    public required string Uuid { get; init; }

    /// <summary>Inbound or outbound.</summary>
    public required Direction Direction { get; init; }

    /// <summary>Delivery state: <c>received</c>, <c>sent</c>, <c>delivered</c>, <c>failed</c>, … (an open set).</summary>
    public required string State { get; init; }

    /// <summary>The inbox the message belongs to.</summary>
    public required Inbox Inbox { get; init; }

    /// <summary>The sender (a <c>did</c>).</summary>
    public required Participant From { get; init; }

    /// <summary>The recipients (each a <c>did</c>).</summary>
    public required IReadOnlyList<Participant> To { get; init; }

    /// <summary>SMS or MMS.</summary>
    public required MessageType Type { get; init; }

    /// <summary>The text; may be empty for a media-only MMS.</summary>
    public required string Message { get; init; }

    /// <summary>Attachments; empty for SMS.</summary>
    public required IReadOnlyList<Media> Media { get; init; }
}

/// <summary>The inbox a message is stored in.</summary>
public sealed record Inbox : JsonObjectWithExtra
{
    /// <summary>The message in the inbox.</summary>
    public required long Id { get; init; }

    /// <summary>The extension owning the inbox, or null.</summary>
    public long? ExtensionId { get; init; }

    /// <summary>The customer's number the message belongs to (E.164).</summary>
    public required string Did { get; init; }
}

/// <summary>A message attachment.</summary>
public sealed record Media : JsonObjectWithExtra
{
    /// <summary>Where the attachment is.</summary>
    public required string Url { get; init; }

    /// <summary>MIME type.</summary>
    public required string Type { get; init; }

    /// <summary>Size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>File name.</summary>
    public required string Filename { get; init; }

    /// <summary>URL of a thumbnail, or null.</summary>
    public string? Thumbnail { get; init; }
}
