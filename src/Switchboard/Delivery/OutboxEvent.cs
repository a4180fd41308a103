using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// One event in the outbox (delivery.md): an activity rendered for one of its targets, on its way
/// to <see cref="CallbackId"/>. <see cref="Tries"/> counts attempts to that callback (a fallback
/// starts again from zero), <see cref="Attempts"/> all of them. <see cref="HasRow"/> tells whether
/// storage has a deliveries row for it yet: the first outcome makes one.
/// </summary>
internal sealed class OutboxEvent(EventKey key, string uuid, StoredActivity activity)
{
    public EventKey Key { get; } = key;

    public string Uuid { get; } = uuid;

    public StoredActivity Activity { get; } = activity;

    public EventTarget Target => Activity.Targets[Key.Slot];

    public long ListenerId => Target.ListenerId;

    public long VoipId => Activity.VoipId;

    /// <summary>The listener's extension; null for an account-level listener (events.md, context).</summary>
    public long? ExtensionId => Target.ExtensionId;

    public string Version => Target.Version;

    public long CallbackId { get; set; } = activity.Targets[key.Slot].CallbackId;

    public int Tries { get; set; }

    public int Attempts { get; set; }

    public bool HasRow { get; set; }

    /// <summary>
    /// The callback whose shared rate limit this event has already taken its send from (scaling.md:
    /// granted by the database before it is sent); null until then. A fallback takes anew.
    /// </summary>
    public long? SendTakenAt { get; set; }

    /// <summary>Storage said no earlier event of its object is open on any node (an ordered listener's, where nodes share the database).</summary>
    public bool FirstOfItsObject { get; set; }
}
