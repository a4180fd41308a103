namespace Switchboard.Delivery;

/// <summary>An acknowledged activity as stored: what every event rendered from it shares.</summary>
internal sealed record StoredActivity(long Id, long VoipId, string DataType, string DataObjectUuid, long TimestampNs, string[] Tags, byte[] Data);

/// <summary>
/// One event in the outbox (delivery.md): an activity rendered for one listener, on its way to
/// <see cref="CallbackId"/>. <see cref="Tries"/> counts attempts to that callback (a fallback
/// starts again from zero), <see cref="Attempts"/> all of them.
/// </summary>
internal sealed class OutboxEvent(long id, string uuid, StoredActivity activity, long listenerId, long? extensionId, string version, long callbackId)
{
    public long Id { get; } = id;

    public string Uuid { get; } = uuid;

    public StoredActivity Activity { get; } = activity;

    public long ListenerId { get; } = listenerId;

    public long VoipId => Activity.VoipId;

    /// <summary>The listener's extension; null for an account-level listener (events.md, context).</summary>
    public long? ExtensionId { get; } = extensionId;

    public string Version { get; } = version;

    public long CallbackId { get; set; } = callbackId;

    public int Tries { get; set; }

    public int Attempts { get; set; }
}
