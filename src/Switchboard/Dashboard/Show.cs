using System.Globalization;

namespace Switchboard.Dashboard;

/// <summary>How the pages write times and numbers: UTC in the markup (the script shows local time), durations in words.</summary>
internal static class Show
{
    public static string Iso(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Utc(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Utc(string iso) => DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? Utc(at.ToUnixTimeMilliseconds()) : iso;

    /// <summary>A span of time as a person says it: <c>40 s</c>, <c>12 min</c>, <c>3 h 5 min</c>, <c>2 days</c>.</summary>
    public static string Span(long ms)
    {
        var span = TimeSpan.FromMilliseconds(Math.Max(0, ms));
        return span.TotalSeconds < 60 ? $"{(int)span.TotalSeconds} s"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} min"
            : span.TotalHours < 48 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : $"{(int)span.TotalDays} days";
    }

    public static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
