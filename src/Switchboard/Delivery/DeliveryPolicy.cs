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
/// The rules of delivery.md that are numbers, read from the operator's settings once, in one
/// place: the retry schedule and its jitter, the circuit breaker, when a failing callback is
/// disabled and when its owner hears of it.
/// </summary>
internal sealed class DeliveryPolicy(IOptions<DeliveryOptions> options, DeliveryRandom random)
{
    private static readonly long NotifyEveryMs = (long)TimeSpan.FromHours(24).TotalMilliseconds;

    /// <summary>A receiver's Retry-After is obeyed up to a day, not without bound.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(24);

    private const long MaxBreakerPauseMs = 30_000;

    private readonly TimeSpan[] _retries = Durations.TryParseList(options.Value.RetrySchedule) ?? [];

    /// <summary>
    /// delivery.md, Retries: how long to wait after the <paramref name="tries"/>-th failed attempt
    /// at a callback, ±20 % so that events that failed together do not all come back at once, and at
    /// least the receiver's Retry-After; null when the schedule is over.
    /// </summary>
    public TimeSpan? RetryWait(int tries, TimeSpan? retryAfter)
    {
        if (tries > _retries.Length)
        {
            return null;
        }
        var wait = _retries[tries - 1] * (0.8 + (random.NextDouble() * 0.4));
        return retryAfter is { } asked && asked > wait ? (asked < MaxRetryAfter ? asked : MaxRetryAfter) : wait;
    }

    /// <summary>How long a callback pauses after this many failed attempts in a row: from Delivery:BreakerFailures on, 1 s doubling up to 30 s.</summary>
    public long BreakerPauseMs(int failuresInARow) =>
        failuresInARow < options.Value.BreakerFailures ? 0 : Math.Min(MaxBreakerPauseMs, 1_000L << Math.Min(failuresInARow - options.Value.BreakerFailures, 5));

    private readonly long _deactivateAfterMs = (long)(Durations.TryParse(options.Value.DeactivateAfter, out var after) ? after : TimeSpan.FromHours(24)).TotalMilliseconds;

    public string DeactivationRule => $"every attempt has failed for {options.Value.DeactivateAfter} or more, and at least {options.Value.DeactivateAfterExhausted} events ran out of attempts";

    /// <summary>An event just ran out of attempts at a callback with this record.</summary>
    public HealthVerdict AfterExhausted(CallbackHealthRow health, long now) =>
        now - health.FailingSince >= _deactivateAfterMs && health.Exhausted >= options.Value.DeactivateAfterExhausted ? HealthVerdict.Deactivate
        : health.Exhausted == 1 && (health.NotifiedAt is null || now - health.NotifiedAt >= NotifyEveryMs) ? HealthVerdict.Failing
        : HealthVerdict.None;
}
