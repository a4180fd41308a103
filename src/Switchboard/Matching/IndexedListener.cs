using System.Text.Json;
using Switchboard.Delivery;
using Switchboard.Events;
using Switchboard.Storage;

namespace Switchboard.Matching;

/// <summary>A listener as matching needs it: its subscriptions as tag masks, its filters ready to test.</summary>
internal sealed record IndexedListener(
    long Id, long VoipId, long? ExtensionId, string Version, long CallbackId, long? ExpiresAt,
    TagSet[] Subscriptions, IndexedFilter[] Filters, bool Ordered = false)
{
    /// <summary>What an event of this listener is frozen with, made once per index build rather than per event.</summary>
    public EventTarget Target { get; } = new(Id, CallbackId, ExtensionId, Version, Ordered);

    /// <summary>The event context of this listener (events.md, context).</summary>
    public EventContext Context => ExtensionId is { } extension ? EventContext.Extension(VoipId, extension) : EventContext.Account(VoipId);

    /// <summary>tags.md: any subscription whose tags the activity all carries.</summary>
    public bool Wants(TagSet tags)
    {
        foreach (var subscription in Subscriptions)
        {
            if (tags.ContainsAll(subscription))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>
/// A filter ready to test (delivery.md, Filters): <c>number</c> with one of
/// <see cref="Equals"/>/<see cref="In"/>/<see cref="Pattern"/>, or <c>schedule</c>, inverted by <see cref="Not"/>.
/// </summary>
internal sealed record IndexedFilter(string? EqualTo, HashSet<string>? In, string[]? Pattern, long? ScheduleId, bool Not)
{
    public static IndexedFilter From(ListenerFilter filter)
    {
        var value = filter.FilterValue;
        if (filter.FilterType == "schedule")
        {
            return new IndexedFilter(null, null, null, value.GetProperty("id").GetInt64(), filter.NotLogic);
        }
        if (value.TryGetProperty("eq", out var eq))
        {
            return new IndexedFilter(eq.GetString(), null, null, null, filter.NotLogic);
        }
        if (value.TryGetProperty("in", out var list))
        {
            return new IndexedFilter(null, [.. list.EnumerateArray().Select(e => e.GetString()!)], null, null, filter.NotLogic);
        }
        return new IndexedFilter(null, null, value.GetProperty("match").GetString()!.Split('%'), null, filter.NotLogic);
    }

    /// <summary>Whether the filter passes for an activity with these numbers, at this instant.</summary>
    public bool Passes(IReadOnlyList<string> numbers, long timestampNs, IReadOnlyDictionary<long, Schedule> schedules)
    {
        bool result;
        if (ScheduleId is { } scheduleId)
        {
            // delivery.md: a deleted schedule makes the filter fail.
            result = schedules.TryGetValue(scheduleId, out var schedule)
                && ScheduleCalendar.Contains(schedule, NodaTime.Instant.FromUnixTimeTicks(timestampNs / 100));
        }
        else
        {
            result = false;
            foreach (var number in numbers)
            {
                if (EqualTo is not null ? number == EqualTo : In is not null ? In.Contains(number) : Matches(number, Pattern!))
                {
                    result = true;
                    break;
                }
            }
        }
        return result != Not;
    }

    /// <summary>
    /// <paramref name="parts"/> is the pattern split at <c>%</c>: the first part is a prefix, the
    /// last a suffix, and those between must follow in order.
    /// </summary>
    public static bool Matches(string number, string[] parts)
    {
        if (parts.Length == 1)
        {
            return number == parts[0];
        }
        var first = parts[0];
        var last = parts[^1];
        if (number.Length < first.Length + last.Length || !number.StartsWith(first, StringComparison.Ordinal) || !number.EndsWith(last, StringComparison.Ordinal))
        {
            return false;
        }
        var position = first.Length;
        var end = number.Length - last.Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = number.AsSpan(position, end - position).IndexOf(parts[i], StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }
            position += found + parts[i].Length;
        }
        return true;
    }
}

/// <summary>
/// A callback as delivery needs it, with its config read once: <see cref="Http"/> for HTTP and
/// HTTPS callbacks, <see cref="Email"/> for e-mail, <see cref="Application"/> for applications.
/// </summary>
internal sealed record IndexedCallback(Callback Row, HttpCallbackConfig? Http, EmailCallbackConfig? Email, ApplicationCallbackConfig? Application)
{
    public long Id => Row.Id;

    public bool Enabled => Row.Enabled;

    public long? FallbackId => Row.FallbackCallbackId;

    public CallbackRateLimit? RateLimit => Http?.RateLimit ?? Email?.RateLimit;

    public static IndexedCallback From(Callback row) => row.Mode switch
    {
        CallbackMode.Http or CallbackMode.Https => new(row, row.Config.Deserialize(CallbackConfigJsonContext.Default.HttpCallbackConfig), null, null),
        CallbackMode.Email => new(row, null, row.Config.Deserialize(CallbackConfigJsonContext.Default.EmailCallbackConfig), null),
        _ => new(row, null, null, row.Config.Deserialize(CallbackConfigJsonContext.Default.ApplicationCallbackConfig)),
    };
}
