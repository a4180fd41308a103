using NodaTime;
using NodaTime.Text;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Tests;

public class ScheduleCalendarTests
{
    private static readonly Schedule Office = new(1, 1000002, "Office", "America/New_York",
        [new ScheduleRule(["mon", "tue", "wed", "thu", "fri"], "09:00", "17:30")],
        [new ScheduleException("2026-12-25", false), new ScheduleException("2026-12-24", true, "09:00", "12:00")]);

    private static Instant At(string utc) => InstantPattern.ExtendedIso.Parse(utc).Value;

    [Theory]
    [InlineData("2026-06-15T13:00:00Z", true)] // Monday 09:00 in New York (EDT): from is inclusive
    [InlineData("2026-06-15T12:59:59Z", false)] // Monday 08:59:59
    [InlineData("2026-06-15T21:29:59Z", true)] // Monday 17:29:59
    [InlineData("2026-06-15T21:30:00Z", false)] // Monday 17:30: to is exclusive
    [InlineData("2026-06-13T15:00:00Z", false)] // Saturday 11:00
    [InlineData("2026-12-15T14:00:00Z", true)] // Tuesday 09:00 in EST (UTC-5)
    [InlineData("2026-12-25T15:00:00Z", false)] // Christmas, a Friday, closed by exception
    [InlineData("2026-12-24T16:00:00Z", true)] // Christmas Eve 11:00, open by exception
    [InlineData("2026-12-24T18:00:00Z", false)] // Christmas Eve 13:00: the exception's hours replace the rule's
    public void An_instant_is_inside_when_local_time_falls_in_a_rule_or_an_open_exception(string utc, bool inside) =>
        Assert.Equal(inside, ScheduleCalendar.Contains(Office, At(utc)));

    [Fact]
    public void To_24_00_runs_to_the_end_of_the_day()
    {
        var late = new Schedule(1, 1, "Late", "UTC", [new ScheduleRule(["sun"], "20:00", "24:00")], []);

        Assert.True(ScheduleCalendar.Contains(late, At("2026-06-14T23:59:59Z")));
        Assert.False(ScheduleCalendar.Contains(late, At("2026-06-15T00:00:00Z")));
    }
}
