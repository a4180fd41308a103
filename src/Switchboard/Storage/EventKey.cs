namespace Switchboard.Storage;

/// <summary>
/// Which event: the activity it was rendered from and the listener's place in the activity's
/// frozen targets. An event has no row of its own until its first outcome, so this is its identity.
/// </summary>
internal readonly record struct EventKey(long ActivityId, int Slot);
