using System.Globalization;

namespace Switchboard.Delivery;

/// <summary>Durations as operators write them in options: <c>250ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c>, or lists of them.</summary>
internal static class Durations
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var unitLength = text.EndsWith("ms", StringComparison.Ordinal) ? 2 : 1;
        if (text.Length <= unitLength || !double.TryParse(text.AsSpan(0, text.Length - unitLength), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }
        TimeSpan? parsed = text[^unitLength..] switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            "d" => TimeSpan.FromDays(amount),
            _ => null,
        };
        duration = parsed ?? default;
        return parsed is not null;
    }

    /// <summary>A comma list of durations, or null if any is not one.</summary>
    public static TimeSpan[]? TryParseList(string? text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var list = new TimeSpan[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParse(parts[i], out list[i]))
            {
                return null;
            }
        }
        return list;
    }
}
