namespace Switchboard.Delivery;

/// <summary>The delivery log statuses of an event (api.md, Deliveries).</summary>
internal static class EventStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Suppressed = "suppressed";

    public static readonly string[] All = [Pending, Delivered, Failed, Suppressed];
}

/// <summary>
/// Where an event stands after the worker dealt with it, to be written to storage: its status,
/// when to try again if pending, the attempt made (none for a suppressed event or a disabled
/// callback), and what it tells about <see cref="AttemptCallbackId"/>'s health. <see cref="Note"/>
/// is the event's status_reason in the delivery log: why it is failed or suppressed.
/// </summary>
internal sealed record Outcome(OutboxEvent Event, string Status, long NextAttemptAt, AttemptResult? Attempt, long AttemptCallbackId, bool Exhausted, string? Note = null);
