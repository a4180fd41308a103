using System.Text.Json;

namespace Switchboard.Events;

/// <summary>
/// Field checks over a <see cref="JsonElement"/> that collect every error with its JSON path
/// instead of stopping at the first, so a producer sees all that is wrong at once.
/// </summary>
internal sealed class JsonRules
{
    private List<ValidationError>? _errors;

    public IReadOnlyList<ValidationError> Errors => (IReadOnlyList<ValidationError>?)_errors ?? [];

    public bool HasErrors => _errors is { Count: > 0 };

    public void Add(string path, string message) => (_errors ??= []).Add(new ValidationError(path, message));

    /// <summary>
    /// "path.name", remembered: the same few nested paths come up for every event, and building
    /// them anew each time was a tenth of a read's allocations. The cache is bounded because
    /// callers may prefix paths with line numbers.
    /// </summary>
    public static string Join(string path, string name)
    {
        if (path.Length == 0)
        {
            return name;
        }
        if (JoinedPaths.TryGetValue((path, name), out var joined))
        {
            return joined;
        }
        joined = path + "." + name;
        if (JoinedPaths.Count < 1024)
        {
            JoinedPaths.TryAdd((path, name), joined);
        }
        return joined;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), string> JoinedPaths = new();

    /// <summary>The UTF-8 text of a string value without decoding it, when it has no escapes.</summary>
    public static bool TryGetUtf8(JsonElement value, out ReadOnlySpan<byte> utf8)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value);
        utf8 = raw.Length >= 2 && raw[0] == (byte)'"' ? raw[1..^1] : raw;
        return value.ValueKind == JsonValueKind.String && !utf8.Contains((byte)'\\');
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>
    /// A value as it should appear in a message: JSON-quoted and readable (no <c>\u002B</c> for
    /// <c>+</c>), and cut short, so hostile input cannot blow up the error text.
    /// </summary>
    public static string Quote(JsonElement value)
    {
        const int Max = 64;
        if (value.ValueKind != JsonValueKind.String)
        {
            var raw = value.GetRawText();
            return raw.Length <= Max ? raw : raw[..Max] + "…";
        }
        var text = value.GetString()!;
        var shown = text.Length <= Max ? text : text[..Max];
        return "\"" + JsonEncodedText.Encode(shown, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + (shown.Length < text.Length ? "…\"" : "\"");
    }

    /// <summary>The field, or an error when it is absent.</summary>
    public bool Required(JsonElement obj, string path, string name, out JsonElement value)
    {
        if (obj.TryGetProperty(name, out value))
        {
            return true;
        }
        Add(Join(path, name), "is required");
        return false;
    }

    /// <summary>The field's value when it has the wanted kind; null is allowed only when <paramref name="nullable"/>.</summary>
    private bool Kind(JsonElement obj, string path, string name, JsonValueKind kind, string what, bool nullable, out JsonElement value)
    {
        if (!Required(obj, path, name, out value))
        {
            return false;
        }
        if (value.ValueKind == kind || (kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False))
        {
            return true;
        }
        if (!(nullable && value.ValueKind == JsonValueKind.Null))
        {
            Add(Join(path, name), $"must be {what}{(nullable ? " or null" : "")}, not {Describe(value.ValueKind)}");
        }
        return false;
    }

    public bool Object(JsonElement obj, string path, string name, bool nullable, out JsonElement value) =>
        Kind(obj, path, name, JsonValueKind.Object, "an object", nullable, out value);

    public bool Array(JsonElement obj, string path, string name, out JsonElement value) =>
        Kind(obj, path, name, JsonValueKind.Array, "an array", nullable: false, out value);

    public void Boolean(JsonElement obj, string path, string name) =>
        Kind(obj, path, name, JsonValueKind.True, "a boolean", nullable: false, out _);

    /// <summary>A string field; when <paramref name="nonEmpty"/> the empty string is an error too.</summary>
    public bool String(JsonElement obj, string path, string name, bool nonEmpty, bool nullable, out JsonElement value)
    {
        if (!Kind(obj, path, name, JsonValueKind.String, "a string", nullable, out value))
        {
            return false;
        }
        if (nonEmpty && value.ValueEquals(ReadOnlySpan<byte>.Empty))
        {
            Add(Join(path, name), "must not be empty");
            return false;
        }
        return true;
    }

    public void String(JsonElement obj, string path, string name, bool nonEmpty = true, bool nullable = false) =>
        String(obj, path, name, nonEmpty, nullable, out _);

    /// <summary>A 64-bit integer field (no fraction, no exponent), optionally not below <paramref name="min"/>.</summary>
    public bool Integer(JsonElement obj, string path, string name, out long value, long min = long.MinValue, long max = long.MaxValue, bool nullable = false)
    {
        value = 0;
        if (!Kind(obj, path, name, JsonValueKind.Number, "an integer", nullable, out var element))
        {
            return false;
        }
        if (!element.TryGetInt64(out value))
        {
            Add(Join(path, name), $"must be an integer, not {Quote(element)}");
            return false;
        }
        if (value < min || value > max)
        {
            Add(Join(path, name), max == long.MaxValue
                ? (min == 0 ? "must not be negative" : $"must be at least {min}")
                : $"must be between {min} and {max}");
            return false;
        }
        return true;
    }

    public void Integer(JsonElement obj, string path, string name, long min = long.MinValue, long max = long.MaxValue, bool nullable = false) =>
        Integer(obj, path, name, out _, min, max, nullable);

    /// <summary>A string field that must be one of a closed set; answers the index in <paramref name="names"/>.</summary>
    public int OneOf(JsonElement obj, string path, string name, ReadOnlySpan<string> names, bool nullable = false)
    {
        if (!String(obj, path, name, nonEmpty: false, nullable, out var value))
        {
            return -1;
        }
        for (var i = 0; i < names.Length; i++)
        {
            if (value.ValueEquals(names[i]))
            {
                return i;
            }
        }
        Add(Join(path, name), $"{Quote(value)} is not one of {string.Join(", ", names.ToArray())}");
        return -1;
    }

    /// <summary>A phone number in E.164: <c>+</c>, a non-zero digit, then 1 to 14 digits.</summary>
    public static bool IsE164(ReadOnlySpan<char> text)
    {
        if (text.Length is < 3 or > 16 || text[0] != '+' || text[1] is < '1' or > '9')
        {
            return false;
        }
        foreach (var c in text[2..])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsE164(JsonElement value)
    {
        if (!TryGetUtf8(value, out var utf8))
        {
            return IsE164(value.GetString());
        }
        if (utf8.Length is < 3 or > 16 || utf8[0] != '+' || utf8[1] is < (byte)'1' or > (byte)'9')
        {
            return false;
        }
        foreach (var b in utf8[2..])
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }
        return true;
    }

    public void E164(JsonElement obj, string path, string name)
    {
        if (String(obj, path, name, nonEmpty: true, nullable: false, out var value) && !IsE164(value))
        {
            Add(Join(path, name), $"{Quote(value)} is not an E.164 phone number (+ and up to 15 digits)");
        }
    }

    /// <summary>An error for each named field that is present: they do not belong to this kind of object.</summary>
    public void Absent(JsonElement obj, string path, string why, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (obj.TryGetProperty(name, out _))
            {
                Add(Join(path, name), $"is not allowed {why}");
            }
        }
    }
}
