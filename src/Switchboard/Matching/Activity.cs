using Switchboard.Events;

namespace Switchboard.Matching;

/// <summary>
/// One happening reported by the platform (ingest.md), or made by the hub itself (an api-error,
/// a deactivation notice), checked and tagged, with the listeners it matched. <see cref="Data"/> is
/// the data object as compact UTF-8 JSON, passed through to every event unchanged;
/// <see cref="Model"/> is the same object read for tagging and filters.
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
    /// <summary>The listeners this activity is rendered for, found at ingest (delivery.md, steps 1–4) and frozen with it.</summary>
    public IReadOnlyList<EventTarget> Targets { get; set; } = [];

    /// <summary>The span of the request that reported it, so that each delivery attempt's span joins that trace (in memory only).</summary>
    public System.Diagnostics.ActivityContext Trace { get; set; }

    /// <summary>The one way an activity is made: tagged from its model (tags.md).</summary>
    public static Activity Of(long voipId, IReadOnlyList<long> extensionIds, EventData model, byte[] data, string dataObjectUuid, long timestampNs, string? idempotencyKey)
    {
        var tags = EventTagger.Tag(model);
        return new Activity(voipId, extensionIds, model.DataType, dataObjectUuid, timestampNs, idempotencyKey, model, data, tags, TagSet.Of(tags));
    }

    /// <summary>An activity the hub reports itself, now, with its data written from <paramref name="model"/>.</summary>
    public static Activity Own(long voipId, EventData model, DateTimeOffset now)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, EventJson.WriterOptions))
        {
            EventJson.WriteData(json, model);
        }
        return Of(voipId, [], model, buffer.WrittenSpan.ToArray(), Guid.CreateVersion7(now).ToString(), now.ToUnixTimeMilliseconds() * 1_000_000, null);
    }
}

/// <summary>A listener an activity matched, as its event needs it: frozen at ingest, so later changes to the listener do not alter events already acknowledged.</summary>
internal sealed record EventTarget(long ListenerId, long CallbackId, long? ExtensionId, string Version, bool Ordered = false);
