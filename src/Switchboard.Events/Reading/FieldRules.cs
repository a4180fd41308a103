using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchboard.Events;

/// <summary>
/// The field checks of events.md over what the reader found, collecting every error with its JSON
/// path instead of stopping at the first, so a producer sees all that is wrong at once.
/// </summary>
internal struct FieldRules
{
    /// <summary>What is said of a string that cannot be decoded (broken UTF-8, an escaped lone surrogate).</summary>
    public const string NotText = "is not valid Unicode text";

    private List<ValidationError>? _errors;

    /// <summary>The errors, or null when there are none.</summary>
    public readonly List<ValidationError>? Errors => _errors;

    public readonly bool HasErrors => _errors is not null;

    public void Add(string path, string message) => (_errors ??= []).Add(new ValidationError(path, message));

    /// <summary>The errors inside a nested object, reported here, where its parent checks it.</summary>
    public void AddAll(List<ValidationError>? errors)
    {
        if (errors is not null)
        {
            (_errors ??= []).AddRange(errors);
        }
    }

    /// <summary>An error when the field is absent.</summary>
    public bool Required(in Field field, string path, string name)
    {
        if (field.Kind != JsonTokenType.None)
        {
            return true;
        }
        Add(Join(path, name), "is required");
        return false;
    }

    /// <summary>True when the field has the wanted kind; null is allowed only when <paramref name="nullable"/>.</summary>
    private bool Kind(in Field field, string path, string name, JsonTokenType kind, string what, bool nullable)
    {
        if (!Required(field, path, name))
        {
            return false;
        }
        if (field.Kind == kind || (kind == JsonTokenType.True && field.Kind == JsonTokenType.False))
        {
            return true;
        }
        if (!(nullable && field.Kind == JsonTokenType.Null))
        {
            Add(Join(path, name), $"must be {what}{(nullable ? " or null" : "")}, not {Describe(field.Kind)}");
        }
        return false;
    }

    public bool Object(in Field field, string path, string name, bool nullable) =>
        Kind(field, path, name, JsonTokenType.StartObject, "an object", nullable);

    public bool Array(in Field field, string path, string name) =>
        Kind(field, path, name, JsonTokenType.StartArray, "an array", nullable: false);

    public void Boolean(in Field field, string path, string name) =>
        Kind(field, path, name, JsonTokenType.True, "a boolean", nullable: false);

    /// <summary>A string field; when <paramref name="nonEmpty"/> the empty string is an error too.</summary>
    public bool String(in Field field, string path, string name, bool nonEmpty = true, bool nullable = false)
    {
        if (!Kind(field, path, name, JsonTokenType.String, "a string", nullable))
        {
            return false;
        }
        if (nonEmpty && field.IsEmpty)
        {
            Add(Join(path, name), "must not be empty");
            return false;
        }
        return true;
    }

    /// <summary>A 64-bit integer field (no fraction, no exponent) between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public bool Integer(in Field field, string path, string name, long min = long.MinValue, long max = long.MaxValue, bool nullable = false)
    {
        if (!Kind(field, path, name, JsonTokenType.Number, "an integer", nullable))
        {
            return false;
        }
        if (!field.IsInteger)
        {
            Add(Join(path, name), $"must be an integer, not {field.Shown}");
            return false;
        }
        if (field.Number < min || field.Number > max)
        {
            Add(Join(path, name), max == long.MaxValue
                ? (min == 0 ? "must not be negative" : $"must be at least {min}")
                : $"must be between {min} and {max}");
            return false;
        }
        return true;
    }

    /// <summary>A string field that must be one of a closed set; answers the position in the set, or -1.</summary>
    public int OneOf(in Field field, string path, string name, ClosedSet set, bool nullable = false)
    {
        if (!String(field, path, name, nonEmpty: false, nullable))
        {
            return -1;
        }
        if (field.Position >= 0)
        {
            return field.Position;
        }
        Add(Join(path, name), field.BadText ? NotText : $"{field.Shown} is not one of {string.Join(", ", set.Names)}");
        return -1;
    }

    /// <summary>A phone number in E.164.</summary>
    public void E164(in Field field, string path, string name)
    {
        if (String(field, path, name) && !IsE164(field.Text))
        {
            Add(Join(path, name), field.BadText ? NotText : $"{Quote(field.Text!)} is not an E.164 phone number (+ and up to 15 digits)");
        }
    }

    /// <summary>An error when the field is present: it does not belong to this kind of object.</summary>
    public void Absent(in Field field, string path, string name, string why)
    {
        if (field.Kind != JsonTokenType.None)
        {
            Add(Join(path, name), $"is not allowed {why}");
        }
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

    public static string Describe(JsonTokenType kind) => kind switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    public static string Describe(JsonValueKind kind) => Describe(kind switch
    {
        JsonValueKind.Object => JsonTokenType.StartObject,
        JsonValueKind.Array => JsonTokenType.StartArray,
        JsonValueKind.String => JsonTokenType.String,
        JsonValueKind.Number => JsonTokenType.Number,
        JsonValueKind.True => JsonTokenType.True,
        JsonValueKind.False => JsonTokenType.False,
        JsonValueKind.Null => JsonTokenType.Null,
        _ => JsonTokenType.None,
    });

    private const int MaxShown = 64;

    /// <summary>
    /// A string as it should appear in a message: JSON-quoted and readable (no <c>\u002B</c> for
    /// <c>+</c>), and cut short, so hostile input cannot blow up the error text.
    /// </summary>
    public static string Quote(string text)
    {
        var shown = text.Length <= MaxShown ? text : text[..MaxShown];
        return "\"" + JsonEncodedText.Encode(shown, JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + (shown.Length < text.Length ? "…\"" : "\"");
    }

    /// <summary>A number as it should appear in a message: as written, cut short.</summary>
    public static string QuoteNumber(ReadOnlySpan<byte> utf8)
    {
        var raw = System.Text.Encoding.UTF8.GetString(utf8);
        return raw.Length <= MaxShown ? raw : raw[..MaxShown] + "…";
    }

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
}
