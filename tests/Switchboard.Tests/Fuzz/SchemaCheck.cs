using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchboard.Tests;

/// <summary>
/// A JSON Schema (2020-12, as OpenAPI 3.1 uses it) checker for the keywords the hub's document uses:
/// <c>type</c> (one or a list, <c>null</c> among them), <c>properties</c>, <c>required</c>,
/// <c>additionalProperties</c>, <c>items</c>, <c>enum</c>, <c>const</c>, <c>$ref</c> to
/// <c>#/components/schemas/…</c>, <c>oneOf</c>/<c>anyOf</c>/<c>allOf</c>, <c>minimum</c>/<c>maximum</c>,
/// <c>minLength</c>/<c>maxLength</c>, <c>pattern</c>, and <c>format</c> int32, int64, date-time, date and
/// uuid. A keyword outside that list throws rather than passing unchecked, so the checker says when the
/// document outgrows it.
/// </summary>
/// <remarks>
/// One rule goes beyond JSON Schema on purpose: with <paramref name="undeclaredPropertiesAreErrors"/>, an
/// object whose schema lists <c>properties</c> and says nothing of <c>additionalProperties</c> may not carry
/// others. JSON Schema allows them, but the document is meant to name every field the hub writes, and a
/// generated client drops the ones it does not name.
/// </remarks>
internal sealed class SchemaCheck(JsonElement document, bool undeclaredPropertiesAreErrors = true)
{
    private static readonly HashSet<string> Annotations = ["description", "title", "default", "example", "examples", "deprecated", "readOnly", "writeOnly", "externalDocs", "$comment"];

    private static readonly HashSet<string> Understood =
    [
        "$ref", "type", "properties", "required", "additionalProperties", "items", "enum", "const", "oneOf", "anyOf", "allOf",
        "minimum", "maximum", "minLength", "maxLength", "pattern", "format",
    ];

    /// <summary>What is wrong with <paramref name="value"/> against <paramref name="schema"/>, one line each with its JSON path; empty when it matches.</summary>
    public List<string> Check(JsonElement schema, JsonElement value)
    {
        var errors = new List<string>();
        Check(schema, value, "$", errors);
        return errors;
    }

    /// <summary>The schema a <c>$ref</c> names.</summary>
    public JsonElement Resolve(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only references inside the document are understood, not {reference}");
        }
        var node = document;
        foreach (var part in reference[2..].Split('/'))
        {
            var name = part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (!node.TryGetProperty(name, out node))
            {
                throw new InvalidOperationException($"The document has no {reference}");
            }
        }
        return node;
    }

    private void Check(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }
        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: no value is allowed here");
            return;
        }
        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Understood.Contains(keyword.Name) && !Annotations.Contains(keyword.Name))
            {
                throw new NotSupportedException($"The schema checker does not understand the keyword {keyword.Name} (at {path}); teach it before trusting it.");
            }
        }
        if (schema.TryGetProperty("$ref", out var reference))
        {
            Check(Resolve(reference.GetString()!), value, path, errors);
        }
        if (schema.TryGetProperty("type", out var type) && !HasType(type, value))
        {
            errors.Add($"{path}: {Kind(value)} where the schema wants {type.GetRawText()}");
            return;
        }
        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            errors.Add($"{path}: {Short(value)} is not one of {allowed.GetRawText()}");
        }
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"{path}: {Short(value)} is not {constant.GetRawText()}");
        }
        CheckCombinations(schema, value, path, errors);
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                CheckObject(schema, value, path, errors);
                break;
            case JsonValueKind.Array when schema.TryGetProperty("items", out var items):
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Check(items, item, $"{path}[{index++}]", errors);
                }
                break;
            case JsonValueKind.Number:
                CheckNumber(schema, value, path, errors);
                break;
            case JsonValueKind.String:
                CheckString(schema, value.GetString()!, path, errors);
                break;
        }
    }

    private void CheckCombinations(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        if (schema.TryGetProperty("allOf", out var all))
        {
            foreach (var part in all.EnumerateArray())
            {
                Check(part, value, path, errors);
            }
        }
        if (schema.TryGetProperty("anyOf", out var any) && !any.EnumerateArray().Any(part => Check(part, value).Count == 0))
        {
            errors.Add($"{path}: {Short(value)} matches none of anyOf");
        }
        if (schema.TryGetProperty("oneOf", out var one))
        {
            var matching = one.EnumerateArray().Count(part => Check(part, value).Count == 0);
            if (matching != 1)
            {
                errors.Add($"{path}: {Short(value)} matches {matching} of oneOf, not exactly one");
            }
        }
    }

    private List<string> Check(JsonElement schema, JsonElement value, string path)
    {
        var errors = new List<string>();
        Check(schema, value, path, errors);
        return errors;
    }

    private void CheckObject(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        var properties = schema.TryGetProperty("properties", out var p) ? p : default;
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    errors.Add($"{path}: the required {name} is missing");
                }
            }
        }
        var additional = schema.TryGetProperty("additionalProperties", out var a) ? a : (JsonElement?)null;
        foreach (var property in value.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var declared))
            {
                Check(declared, property.Value, at, errors);
            }
            else if (additional is { } other)
            {
                Check(other, property.Value, at, errors);
            }
            else if (undeclaredPropertiesAreErrors && properties.ValueKind == JsonValueKind.Object)
            {
                errors.Add($"{at}: not declared in the schema");
            }
        }
    }

    private static void CheckNumber(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        var number = value.GetDouble();
        if (schema.TryGetProperty("minimum", out var minimum) && number < Bound(minimum))
        {
            errors.Add($"{path}: {value.GetRawText()} is below the minimum {minimum}");
        }
        if (schema.TryGetProperty("maximum", out var maximum) && number > Bound(maximum))
        {
            errors.Add($"{path}: {value.GetRawText()} is above the maximum {maximum}");
        }
        if (schema.TryGetProperty("format", out var format))
        {
            var ok = format.GetString() switch
            {
                // By value, as JSON Schema reads numbers: 1.0 is an int32.
                "int32" => value.TryGetDecimal(out var i) && decimal.Truncate(i) == i && i is >= int.MinValue and <= int.MaxValue,
                "int64" => value.TryGetDecimal(out var l) && decimal.Truncate(l) == l && l is >= long.MinValue and <= long.MaxValue,
                "double" or "float" => true,
                var other => throw new NotSupportedException($"The schema checker does not understand the number format {other} (at {path})."),
            };
            if (!ok)
            {
                errors.Add($"{path}: {value.GetRawText()} is not an {format.GetString()}");
            }
        }
    }

    private static void CheckString(JsonElement schema, string text, string path, List<string> errors)
    {
        var length = text.EnumerateRunes().Count();
        if (schema.TryGetProperty("minLength", out var min) && length < min.GetInt32())
        {
            errors.Add($"{path}: shorter than {min.GetInt32()}");
        }
        if (schema.TryGetProperty("maxLength", out var max) && length > max.GetInt32())
        {
            errors.Add($"{path}: longer than {max.GetInt32()}");
        }
        if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add($"{path}: {Short(text)} does not match {pattern.GetString()}");
        }
        if (schema.TryGetProperty("format", out var format))
        {
            var ok = format.GetString() switch
            {
                // RFC 3339: a date, T, a time with seconds, and an offset or Z.
                "date-time" => Regex.IsMatch(text, @"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")
                    && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _),
                "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                "uuid" => Guid.TryParseExact(text, "D", out _),
                // Numbers some serializers write as strings.
                "int32" => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                "int64" => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                var other => throw new NotSupportedException($"The schema checker does not understand the string format {other} (at {path})."),
            };
            if (!ok)
            {
                errors.Add($"{path}: {Short(text)} is not a {format.GetString()}");
            }
        }
    }

    private static bool HasType(JsonElement type, JsonElement value) =>
        type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Any(t => IsOfType(t.GetString()!, value)) : IsOfType(type.GetString()!, value);

    private static bool IsOfType(string type, JsonElement value) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        // JSON Schema: an integer is a number with no fractional part (1.0 is one).
        "integer" => value.ValueKind == JsonValueKind.Number && (value.TryGetDecimal(out var d) ? decimal.Truncate(d) == d : Math.Floor(value.GetDouble()) == value.GetDouble()),
        _ => throw new NotSupportedException($"Unknown JSON Schema type {type}"),
    };

    private static double Bound(JsonElement bound) =>
        bound.ValueKind == JsonValueKind.String ? double.Parse(bound.GetString()!, CultureInfo.InvariantCulture) : bound.GetDouble();

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "the number " + value.GetRawText(),
        JsonValueKind.String => "the string " + Short(value),
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => value.ValueKind.ToString(),
    };

    private static string Short(JsonElement value) => Short(value.GetRawText());

    private static string Short(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
