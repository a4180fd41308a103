namespace Switchboard.Events;

/// <summary><c>data_type = "message"</c>: an SMS or MMS (events.md).</summary>
public sealed record MessageData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.Message;

    /// <summary>The message.</summary>
    public string Uuid { get; set; } = null!;

    /// <summary>Inbound or outbound.</summary>
    public Direction Direction { get; set; }

    /// <summary>Delivery state: <c>received</c>, <c>sent</c>, <c>delivered</c>, <c>failed</c>, … (an open set).</summary>
    public string State { get; set; } = null!;

    /// <summary>The inbox the message belongs to.</summary>
    public Inbox Inbox { get; set; } = null!;

    /// <summary>The sender (a <c>did</c>).</summary>
    public Participant From { get; set; } = null!;

    /// <summary>The recipients (each a <c>did</c>).</summary>
    public IReadOnlyList<Participant> To { get; set; } = null!;

    /// <summary>SMS or MMS.</summary>
    public MessageType Type { get; set; }

    /// <summary>The text; may be empty for a media-only MMS.</summary>
    public string Message { get; set; } = null!;

    /// <summary>Attachments; empty for SMS.</summary>
    public IReadOnlyList<Media> Media { get; set; } = null!;
}

/// <summary>The inbox a message is stored in.</summary>
public sealed record Inbox : JsonObjectWithExtra
{
    /// <summary>The message in the inbox.</summary>
    public long Id { get; set; }

    /// <summary>The extension owning the inbox, or null.</summary>
    public long? ExtensionId { get; set; }

    /// <summary>The customer's number the message belongs to (E.164).</summary>
    public string Did { get; set; } = null!;
}

/// <summary>A message attachment.</summary>
public sealed record Media : JsonObjectWithExtra
{
    /// <summary>Where the attachment is.</summary>
    public string Url { get; set; } = null!;

    /// <summary>MIME type.</summary>
    public string Type { get; set; } = null!;

    /// <summary>Size in bytes.</summary>
    public long Size { get; set; }

    /// <summary>File name.</summary>
    public string Filename { get; set; } = null!;

    /// <summary>URL of a thumbnail, or null.</summary>
    public string? Thumbnail { get; set; }
}
