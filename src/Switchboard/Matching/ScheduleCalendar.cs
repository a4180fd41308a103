using System.Globalization;
using NodaTime;
using Switchboard.Storage;

namespace Switchboard.Matching;

/// <summary>
/// Whether an instant is inside a schedule (api.md, Schedules): in the schedule's time zone it
/// falls on a rule's day with from ≤ local time &lt; to, unless that local date has an exception —
/// closed all day, or open only between its own from and to.
/// </summary>
internal static class ScheduleCalendar
{
    private static readonly string[] DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public static bool Contains(Schedule schedule, Instant instant)
    {
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(schedule.TimeZone) is not { } zone)
        {
            return false;
        }
        var local = instant.InZone(zone).LocalDateTime;
        // HH:mm strings compare in time order, and "24:00" is after every minute of the day.
        var minute = local.TimeOfDay.ToString("HH:mm", CultureInfo.InvariantCulture);
        var date = local.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var exception in schedule.Exceptions)
        {
            if (exception.Date == date)
            {
                return exception.Open && Within(minute, exception.From!, exception.To!);
            }
        }
        var day = DayNames[(int)local.DayOfWeek - 1]; // IsoDayOfWeek: Monday = 1 … Sunday = 7
        return schedule.Rules.Any(rule => rule.Days.Contains(day) && Within(minute, rule.From, rule.To));
    }

    private static bool Within(string minute, string from, string to) =>
        string.CompareOrdinal(from, minute) <= 0 && string.CompareOrdinal(minute, to) < 0;
}
