using System.Text.Json;

namespace Switchboard.Api;

/// <summary>
/// Collects the <c>@fields</c> of a 422 while a request body is checked field by field, each
/// entry keyed by its JSON path (<c>config.url</c>, <c>:subscriptions[0].:tags[1]</c>).
/// </summary>
internal sealed class FieldErrors
{
    public const int MaxStringLength = 1024;

    /// <summary>
    /// The answer to a string with the NUL character: valid JSON, but PostgreSQL cannot store it in text,
    /// so it is refused on both backends alike.
    /// </summary>
    public const string NulMessage = "must not contain the NUL character (\\u0000)";

    private readonly Dictionary<string, string> _errors;
    private readonly string _prefix;

    public FieldErrors()
        : this(new Dictionary<string, string>(StringComparer.Ordinal), "")
    {
    }

    private FieldErrors(Dictionary<string, string> errors, string prefix)
    {
        _errors = errors;
        _prefix = prefix;
    }

    public bool Any => _errors.Count > 0;

    /// <summary>How many errors so far (in the whole body): compare before and after to tell whether one part added any.</summary>
    public int Count => _errors.Count;

    public IReadOnlyDictionary<string, string> All => _errors;

    /// <summary>The same collection, for a nested object: fields added through it are reported under <paramref name="path"/>.</summary>
    public FieldErrors At(string path) => new(_errors, _prefix + path + ".");

    /// <summary>The full path of a field of this object, as it appears in <c>@fields</c>.</summary>
    public string PathOf(string field) => _prefix + field;

    public void Add(string field, string message) => _errors.TryAdd(_prefix + field, message);

    /// <summary>Reports the object itself (its path without a trailing dot), e.g. <c>config</c>.</summary>
    public void AddHere(string message) => _errors.TryAdd(_prefix.Length == 0 ? "body" : _prefix.TrimEnd('.'), message);

    public static bool Has(JsonElement body, string field) => body.TryGetProperty(field, out _);

    /// <summary>Every field of <paramref name="body"/> not in <paramref name="known"/> is an error.</summary>
    public void RejectUnknown(JsonElement body, params ReadOnlySpan<string> known)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                Add(Printable(property.Name, 64), "is not a known field");
            }
        }
    }

    /// <summary>A string field: present (if required), a string, not blank, not too long.</summary>
    public string? String(JsonElement body, string field, bool required, bool nullable = false, int maxLength = MaxStringLength)
    {
        if (!Present(body, field, required, nullable, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            Add(field, nullable ? "must be a string or null" : "must be a string");
            return null;
        }
        return CheckString(field, value.GetString()!, maxLength);
    }

    /// <summary>A string value already taken out of its object (an array item, a dictionary value).</summary>
    public string? CheckString(string field, string text, int maxLength = MaxStringLength)
    {
        if (text.Trim().Length == 0)
        {
            Add(field, "must not be empty");
            return null;
        }
        if (text.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
            return null;
        }
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            Add(field, NulMessage);
            return null;
        }
        return text;
    }

    /// <summary>A string that must be one of <paramref name="allowed"/> (compared exactly).</summary>
    public string? OneOf(JsonElement body, string field, bool required, params string[] allowed)
    {
        var text = String(body, field, required, maxLength: 64);
        if (text is not null && !allowed.Contains(text, StringComparer.Ordinal))
        {
            Add(field, $"must be one of {string.Join(", ", allowed)}");
            return null;
        }
        return text;
    }

    /// <summary>An integer field within [min, max]; null when absent, null (if allowed) or wrong.</summary>
    public long? Integer(JsonElement body, string field, bool required, bool nullable = false, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!Present(body, field, required, nullable, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var n))
        {
            Add(field, nullable ? "must be an integer or null" : "must be an integer");
            return null;
        }
        if (n < min || n > max)
        {
            Add(field, max == long.MaxValue ? $"must be at least {min}" : $"must be from {min} to {max}");
            return null;
        }
        return n;
    }

    public bool? Boolean(JsonElement body, string field, bool required)
    {
        if (!Present(body, field, required, nullable: false, out var value))
        {
            return null;
        }
        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Add(field, "must be true or false");
            return null;
        }
        return value.GetBoolean();
    }

    public JsonElement? Object(JsonElement body, string field, bool required, bool nullable = false)
    {
        if (!Present(body, field, required, nullable, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            Add(field, nullable ? "must be an object or null" : "must be an object");
            return null;
        }
        return value;
    }

    /// <summary>An array of at most <paramref name="maxItems"/> items (and at least <paramref name="minItems"/>).</summary>
    public JsonElement? Array(JsonElement body, string field, bool required, bool nullable = false, int minItems = 0, int maxItems = 100)
    {
        if (!Present(body, field, required, nullable, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            Add(field, nullable ? "must be an array or null" : "must be an array");
            return null;
        }
        var length = value.GetArrayLength();
        if (length < minItems)
        {
            Add(field, minItems == 1 ? "must not be empty" : $"must have at least {minItems} items");
            return null;
        }
        if (length > maxItems)
        {
            Add(field, $"must have at most {maxItems} items");
            return null;
        }
        return value;
    }

    /// <summary>An e-mail address: one @, something on both sides, a dot in the domain, no spaces.</summary>
    public static bool IsEmail(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == text.LastIndexOf('@') && text.IndexOf('.', at) > at + 1 && !text.EndsWith('.')
            && !text.Any(char.IsWhiteSpace) && text.Length <= 254;
    }

    /// <summary>A name from the request cut to at most <paramref name="max"/> characters, to echo in <c>@fields</c>.</summary>
    public static string Printable(string text, int max) => text.Length > max ? text[..max] + "…" : text;

    /// <summary>
    /// Reports a missing required field; true when there is a value to check. A null where null
    /// is not allowed is left to the kind check, which names the kind expected.
    /// </summary>
    private bool Present(JsonElement body, string field, bool required, bool nullable, out JsonElement value)
    {
        if (!body.TryGetProperty(field, out value))
        {
            if (required)
            {
                Add(field, "is required");
            }
            return false;
        }
        return !(nullable && value.ValueKind == JsonValueKind.Null);
    }
}
