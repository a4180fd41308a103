using System.Globalization;
using System.Text.Json;
using NodaTime;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>A schedule create body as the OpenAPI document shows it (bodies are read by hand, <see cref="ScheduleInput"/>).</summary>
internal sealed record ScheduleRequest(string Name, string TimeZone, IReadOnlyList<ScheduleRule> Rules, [property: RefusesNull] IReadOnlyList<ScheduleException>? Exceptions = null);

/// <summary>A schedule update body: only the fields given change, each list as a whole.</summary>
internal sealed record ScheduleChange(
    [property: RefusesNull] string? Name = null, [property: RefusesNull] string? TimeZone = null,
    [property: RefusesNull] IReadOnlyList<ScheduleRule>? Rules = null, [property: RefusesNull] IReadOnlyList<ScheduleException>? Exceptions = null);

/// <summary>Schedule create and update bodies (api.md, Schedules): IANA zone, weekly rules, dated exceptions.</summary>
internal static class ScheduleInput
{
    public static readonly string[] Days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    private const int MaxRules = 100;
    private const int MaxExceptions = 1000;

    /// <summary>A create body (<paramref name="existing"/> null) or an update of any fields over <paramref name="existing"/>.</summary>
    public static Schedule? Read(JsonElement body, FieldErrors errors, long voipId, Schedule? existing)
    {
        errors.RejectUnknown(body, "name", "time_zone", "rules", "exceptions");
        var creating = existing is null;
        var name = errors.String(body, "name", required: creating, maxLength: 255);
        var zone = errors.String(body, "time_zone", required: creating, maxLength: 64);
        if (zone is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) is null)
        {
            errors.Add("time_zone", "must be an IANA time zone name such as America/New_York");
        }
        var rules = ReadRules(body, errors, creating);
        var exceptions = ReadExceptions(body, errors);
        if (errors.Any)
        {
            return null;
        }
        return existing is null
            ? new Schedule(0, voipId, name!, zone!, rules!, exceptions ?? [])
            : existing with { Name = name ?? existing.Name, TimeZone = zone ?? existing.TimeZone, Rules = rules ?? existing.Rules, Exceptions = exceptions ?? existing.Exceptions };
    }

    private static List<ScheduleRule>? ReadRules(JsonElement body, FieldErrors errors, bool required)
    {
        if (errors.Array(body, "rules", required, maxItems: MaxRules) is not { } array)
        {
            return null;
        }
        var rules = new List<ScheduleRule>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = errors.At($"rules[{i++}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                at.AddHere("must be an object with days, from and to");
                continue;
            }
            at.RejectUnknown(item, "days", "from", "to");
            var days = ReadDays(item, at);
            var (from, to) = ReadHours(item, at, required: true);
            if (days is not null && from is not null && to is not null)
            {
                rules.Add(new ScheduleRule(days, from, to));
            }
        }
        return rules;
    }

    private static List<string>? ReadDays(JsonElement rule, FieldErrors at)
    {
        if (at.Array(rule, "days", required: true, minItems: 1, maxItems: Days.Length) is not { } array)
        {
            return null;
        }
        var days = new List<string>();
        var j = 0;
        foreach (var day in array.EnumerateArray())
        {
            var name = day.ValueKind == JsonValueKind.String ? day.GetString()! : null;
            if (name is null || !Days.Contains(name, StringComparer.Ordinal))
            {
                at.Add($"days[{j}]", $"must be one of {string.Join(", ", Days)}");
            }
            else if (!days.Contains(name))
            {
                days.Add(name);
            }
            j++;
        }
        return days;
    }

    private static List<ScheduleException>? ReadExceptions(JsonElement body, FieldErrors errors)
    {
        if (errors.Array(body, "exceptions", required: false, maxItems: MaxExceptions) is not { } array)
        {
            return null;
        }
        var exceptions = new List<ScheduleException>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = errors.At($"exceptions[{i++}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                at.AddHere("must be an object with date and open");
                continue;
            }
            at.RejectUnknown(item, "date", "open", "from", "to");
            var date = at.String(item, "date", required: true, maxLength: 10);
            if (date is not null && !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                at.Add("date", "must be a date written yyyy-MM-dd");
                date = null;
            }
            else if (date is not null && exceptions.Any(e => e.Date == date))
            {
                at.Add("date", "is listed twice");
                date = null;
            }
            var open = at.Boolean(item, "open", required: true);
            string? from = null, to = null;
            if (open == true)
            {
                (from, to) = ReadHours(item, at, required: true);
            }
            else if (open == false && (FieldErrors.Has(item, "from") || FieldErrors.Has(item, "to")))
            {
                at.Add(FieldErrors.Has(item, "from") ? "from" : "to", "is only for open: true");
            }
            if (date is not null && open is { } o && (!o || (from is not null && to is not null)))
            {
                exceptions.Add(new ScheduleException(date, o, from, to));
            }
        }
        return exceptions;
    }

    /// <summary><c>from</c> and <c>to</c> as <c>HH:mm</c> with from &lt; to; <c>to</c> may be <c>24:00</c>, the end of the day.</summary>
    private static (string? From, string? To) ReadHours(JsonElement item, FieldErrors at, bool required)
    {
        var from = ReadTime(item, "from", at, required, allowEndOfDay: false);
        var to = ReadTime(item, "to", at, required, allowEndOfDay: true);
        if (from is not null && to is not null && string.CompareOrdinal(from, to) >= 0)
        {
            at.Add("to", "must be later than from");
            return (null, null);
        }
        return (from, to);
    }

    private static string? ReadTime(JsonElement item, string field, FieldErrors at, bool required, bool allowEndOfDay)
    {
        var text = at.String(item, field, required, maxLength: 5);
        if (text is null)
        {
            return null;
        }
        if ((allowEndOfDay && text == "24:00") || (TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
        {
            return text;
        }
        at.Add(field, allowEndOfDay ? "must be a time written HH:mm (24:00 for the end of the day)" : "must be a time written HH:mm");
        return null;
    }
}
