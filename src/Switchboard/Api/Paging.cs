using System.Globalization;
using System.Text.Json;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>The kind of value a list filter compares.</summary>
internal enum FilterKind
{
    Text,
    Integer,
    Boolean,
}

/// <summary>The list answer of api.md, Lists.</summary>
internal sealed record Page<T>(Dictionary<string, JsonElement> Filters, Dictionary<string, string> Sort, long Total, int Limit, int Offset, IReadOnlyList<T> Items);

/// <summary>
/// <c>limit</c> (1–500, default 25), <c>offset</c> and <c>filters[field]=value</c> of a list
/// request, checked against the fields a resource can be filtered by.
/// </summary>
internal sealed record Paging(int Limit, int Offset, IReadOnlyList<(string Column, object Value)> Filters)
{
    public static readonly Dictionary<string, string> SortById = new() { ["id"] = "desc" };

    public static (Paging? Paging, IResult? Error) Parse(HttpRequest request, IReadOnlyDictionary<string, FilterKind> allowed)
    {
        var errors = new FieldErrors();
        var limit = Number(request, "limit", 25, 1, 500, errors);
        var offset = Number(request, "offset", 0, 0, int.MaxValue, errors);
        var filters = new List<(string, object)>();
        foreach (var (key, values) in request.Query)
        {
            if (!key.StartsWith("filters[", StringComparison.Ordinal) || !key.EndsWith(']'))
            {
                continue;
            }
            var field = key["filters[".Length..^1];
            if (values.Count != 1)
            {
                errors.Add(key.Length > 64 ? key[..64] : key, "must be given once: filters match one exact value");
                continue;
            }
            var text = values.ToString();
            if (!allowed.TryGetValue(field, out var kind))
            {
                errors.Add(key.Length > 64 ? key[..64] : key, $"cannot filter by {(field.Length > 40 ? field[..40] + "…" : field)}; filter by one of {string.Join(", ", allowed.Keys)}");
                continue;
            }
            object? value = kind switch
            {
                FilterKind.Integer => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null,
                FilterKind.Boolean => bool.TryParse(text, out var b) ? b : null,
                _ => text,
            };
            if (value is null)
            {
                errors.Add(key, kind == FilterKind.Integer ? "must be an integer" : "must be true or false");
                continue;
            }
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                // No stored value has one (FieldErrors.NulMessage), and PostgreSQL cannot compare text with it.
                errors.Add(key, FieldErrors.NulMessage);
                continue;
            }
            filters.Add((field, value));
        }
        return errors.Any ? (null, ApiResults.Invalid(errors.All)) : (new Paging(limit, offset, filters), null);
    }

    /// <summary>The list answer for one page of rows.</summary>
    public Page<T> Answer<T>(PageRows<T> rows) => new(Echo(), SortById, rows.Total, Limit, Offset, rows.Items);

    /// <summary>The list answer for one page of rows, each shown as <paramref name="show"/> makes it.</summary>
    public Page<T> Answer<TRow, T>(PageRows<TRow> rows, Func<TRow, T> show) => new(Echo(), SortById, rows.Total, Limit, Offset, [.. rows.Items.Select(show)]);

    /// <summary>The filters as the answer echoes them, with their JSON kinds.</summary>
    public Dictionary<string, JsonElement> Echo() => Filters.ToDictionary(
        f => f.Column,
        f => f.Value switch
        {
            long n => JsonSerializer.SerializeToElement(n, ApiJsonContext.Relaxed.Int64),
            bool b => JsonSerializer.SerializeToElement(b, ApiJsonContext.Relaxed.Boolean),
            _ => JsonSerializer.SerializeToElement((string)f.Value, ApiJsonContext.Relaxed.String),
        });

    private static int Number(HttpRequest request, string name, int fallback, int min, int max, FieldErrors errors)
    {
        if (!request.Query.TryGetValue(name, out var values))
        {
            return fallback;
        }
        if (!int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            errors.Add(name, max == int.MaxValue ? $"must be an integer of at least {min}" : $"must be an integer from {min} to {max}");
            return fallback;
        }
        return n;
    }
}
