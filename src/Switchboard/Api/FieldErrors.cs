using System.Text.Json;

namespace Switchboard.Api;

/// <summary>Collects the <c>@fields</c> of a 422 while a request body is checked field by field.</summary>
internal sealed class FieldErrors
{
    public const int MaxStringLength = 1024;

    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public IReadOnlyDictionary<string, string> All => _errors;

    public void Add(string field, string message) => _errors.TryAdd(field, message);

    /// <summary>Every field of <paramref name="body"/> not in <paramref name="known"/> is an error.</summary>
    public void RejectUnknown(JsonElement body, params ReadOnlySpan<string> known)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                Add(property.Name.Length > 64 ? property.Name[..64] + "…" : property.Name, "is not a known field");
            }
        }
    }

    /// <summary>A string field: present (if required), a string, not empty, not too long.</summary>
    public string? String(JsonElement body, string field, bool required, bool nullable = false, int maxLength = MaxStringLength)
    {
        if (!body.TryGetProperty(field, out var value))
        {
            if (required)
            {
                Add(field, "is required");
            }
            return null;
        }
        if (value.ValueKind == JsonValueKind.Null && nullable)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            Add(field, nullable ? "must be a string or null" : "must be a string");
            return null;
        }
        var text = value.GetString()!;
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
        return text;
    }

    /// <summary>An e-mail address: one @, something on both sides, a dot in the domain, no spaces.</summary>
    public static bool IsEmail(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == text.LastIndexOf('@') && text.IndexOf('.', at) > at + 1 && !text.EndsWith('.')
            && !text.Any(char.IsWhiteSpace) && text.Length <= 254;
    }
}
