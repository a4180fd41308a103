using Microsoft.Extensions.Options;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>What a callback's record of failures calls for (delivery.md, Deactivation and profiles).</summary>
internal enum HealthVerdict
{
    None,

    /// <summary>Its failures started: tell the owner (at most once per callback per 24 h).</summary>
    Failing,

    /// <summary>Failed long enough, with enough events exhausted: disable it.</summary>
    Deactivate,
}

/// <summary>
/// The rules of delivery.md that are numbers, read from the operator's settings once: when a
/// failing callback is disabled and when its owner hears of it.
/// </summary>
internal sealed class DeliveryPolicy(IOptions<DeliveryOptions> options)
{
    private static readonly long NotifyEveryMs = (long)TimeSpan.FromHours(24).TotalMilliseconds;

    private readonly long _deactivateAfterMs = (long)(Durations.TryParse(options.Value.DeactivateAfter, out var after) ? after : TimeSpan.FromHours(24)).TotalMilliseconds;

    public string DeactivationRule => $"every attempt has failed for {options.Value.DeactivateAfter} or more, and at least {options.Value.DeactivateAfterExhausted} events ran out of attempts";

    /// <summary>An event just ran out of attempts at a callback with this record.</summary>
    public HealthVerdict AfterExhausted(CallbackHealthRow health, long now) =>
        now - health.FailingSince >= _deactivateAfterMs && health.Exhausted >= options.Value.DeactivateAfterExhausted ? HealthVerdict.Deactivate
        : health.Exhausted == 1 && (health.NotifiedAt is null || now - health.NotifiedAt >= NotifyEveryMs) ? HealthVerdict.Failing
        : HealthVerdict.None;
}
