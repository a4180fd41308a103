using Switchboard.Events;

namespace Switchboard.Ingest;

/// <summary>
/// One happening reported by the platform (ingest.md), checked and tagged, with the listeners
/// it matched. <see cref="Data"/> is the data object as compact UTF-8 JSON, passed through to
/// every event unchanged; <see cref="Model"/> is the same object read for tagging and filters.
/// </summary>
internal sealed record Activity(
    long VoipId,
    IReadOnlyList<long> ExtensionIds,
    DataType DataType,
    string DataObjectUuid,
    long TimestampNs,
    string? IdempotencyKey,
    EventData Model,
    byte[] Data,
    string[] Tags,
    TagSet TagSet)
{
    /// <summary>The listeners this activity is rendered for, found at ingest (delivery.md, steps 1–4).</summary>
    public IReadOnlyList<Matching.IndexedListener> Listeners { get; set; } = [];
}
