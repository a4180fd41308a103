using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Switchboard.Tests;

/// <summary>A request body as sent: its bytes, its Content-Type, and how it was made.</summary>
internal sealed record FuzzBody(byte[]? Bytes, string? ContentType, IReadOnlyList<string> Mutations);

/// <summary>
/// Request bodies for a schema of the document: first a value the schema describes (with the values of
/// <paramref name="hint"/> for fields whose schema alone says too little, like <c>config</c> or
/// <c>callback_id</c>), then none or a few mutations — a field of the wrong kind, missing, null, huge, odd
/// Unicode, nested too deep, unknown fields — and now and then a body that is no longer JSON at all.
/// </summary>
internal sealed class FuzzBodies(SchemaCheck schemas, Func<string, PCG, JsonNode?> hint, Func<string, bool> hasHint)
{
    public const string NdJson = "application/x-ndjson";

    // Deep enough for the bodies nested past the hub's limit; one writes non-ASCII as UTF-8, the other escapes it.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 2048 };
    private static readonly JsonSerializerOptions Escaped = new() { MaxDepth = 2048 };

    private static readonly string[] ContentTypes =
    [
        "application/json; charset=utf-8", "application/merge-patch+json", "APPLICATION/JSON", "text/plain", "application/x-ndjson",
        "application/json; charset=latin1", "multipart/form-data; boundary=x", "application/xml", "json", "application/json, text/plain",
    ];

    private static readonly string[] WholeBodies =
    [
        "", "null", "[]", "[{}]", "123", "\"text\"", "{", "}", "{}", "{\"a\":", "[1,2", "true", "\ufeff{}", "{\"a\":1}\n{\"b\":2}", "{'a': 1}", "{a: 1}",
        "{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\": 01}", "{\"a\": .5}", "{\"a\": 1e99999}", "{\"a\": -}", "{\"\\ud800\": 1}", "{\"a\": \"\\ud800\"}",
        "{\"a\": \"\\x41\"}", "{\"a\": \"\u0001\"}",
    ];

    private static readonly string[] ExtraNames = ["id", "voip_id", "extension_id", "@error", "__proto__", "constructor", "", " ", "config.url", "$ref", "\u0000", "😀"];

    /// <summary>A body for <paramref name="schema"/>: valid by the schema, mutated, or not JSON.</summary>
    /// <param name="good">A well-behaved body: the schema's fields with the hints' valid values, no mutation, sent as application/json.</param>
    /// <param name="settle">Makes a well-behaved body keep the rules between its fields.</param>
    public FuzzBody Next(JsonElement schema, PCG pcg, bool good, Action<JsonObject> settle)
    {
        var mutations = new List<string>();
        if (good)
        {
            var body = FromSchema(schema, "", pcg, 0, good) as JsonObject ?? [];
            settle(body);
            return new FuzzBody(Encoding.UTF8.GetBytes(body.ToJsonString(Relaxed)), "application/json", mutations);
        }
        if (pcg.Chance(0.04))
        {
            var whole = pcg.Pick(WholeBodies);
            mutations.Add($"the whole body is {JsonSerializer.Serialize(whole)}");
            return new FuzzBody(Encoding.UTF8.GetBytes(whole), ContentType(pcg, mutations), mutations);
        }
        var root = FromSchema(schema, "", pcg, 0, good) ?? new JsonObject();
        var count = pcg.Chance(0.6) ? 1 + (int)pcg.Next(3) : 0;
        for (var i = 0; i < count; i++)
        {
            root = Mutate(root, pcg, mutations);
        }
        var text = root is null ? "null" : root.ToJsonString(pcg.Chance(0.5) ? Relaxed : Escaped);
        var bytes = pcg.Chance(0.06) ? Raw(text, pcg, mutations) : Encoding.UTF8.GetBytes(text);
        return new FuzzBody(bytes, ContentType(pcg, mutations), mutations);
    }

    /// <summary>A body on an operation that declares none (GET, DELETE): usually none, sometimes JSON.</summary>
    public static FuzzBody? Unasked(PCG pcg) =>
        pcg.Chance(0.04) ? new FuzzBody(Encoding.UTF8.GetBytes(FuzzValues.Json(2).Draw(pcg)?.ToJsonString() ?? "null"), "application/json", ["a body the operation does not take"]) : null;

    /// <summary>A value <paramref name="schema"/> describes, for the field <paramref name="field"/>.</summary>
    public JsonNode? FromSchema(JsonElement schema, string field, PCG pcg, int depth, bool good)
    {
        if (field.Length > 0 && hasHint(field) && (good || pcg.Chance(0.85)))
        {
            return hint(field, pcg);
        }
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return FuzzValues.Json(2).Draw(pcg);
        }
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return FromSchema(schemas.Resolve(reference.GetString()!), field, pcg, depth, good);
        }
        foreach (var combination in (string[])["oneOf", "anyOf"])
        {
            if (schema.TryGetProperty(combination, out var choices))
            {
                return FromSchema(pcg.Pick([.. choices.EnumerateArray()]), field, pcg, depth, good);
            }
        }
        if (schema.TryGetProperty("enum", out var values))
        {
            return JsonNode.Parse(pcg.Pick([.. values.EnumerateArray()]).GetRawText());
        }
        if (!schema.TryGetProperty("type", out var typeElement))
        {
            // Any JSON (the document's JsonElement): a field whose hint did not fire.
            return FuzzValues.Json(2).Draw(pcg);
        }
        var types = typeElement.ValueKind == JsonValueKind.Array ? typeElement.EnumerateArray().Select(t => t.GetString()!).ToList() : [typeElement.GetString()!];
        var type = types.Count > 1 && types.Contains("null") && (good || !pcg.Chance(0.12)) ? pcg.Pick(types.Where(t => t != "null").ToList()) : pcg.Pick(types);
        switch (type)
        {
            case "null":
                return null;
            case "boolean":
                return JsonValue.Create(pcg.Chance(0.5));
            case "integer":
                return JsonValue.Create(Integer(schema, pcg));
            case "number":
                return JsonValue.Create(Gen.Double[-1e6, 1e6].Draw(pcg));
            case "string":
                return JsonValue.Create(FuzzValues.Text.Draw(pcg));
            case "array":
                var array = new JsonArray();
                var items = schema.TryGetProperty("items", out var i) ? i : default;
                for (var n = depth > 3 ? 0 : 1 + (int)pcg.Next(3) - (!good && pcg.Chance(0.1) ? 1 : 0); n > 0; n--)
                {
                    array.Add(items.ValueKind == JsonValueKind.Undefined ? FuzzValues.Json(1).Draw(pcg) : FromSchema(items, "", pcg, depth + 1, good));
                }
                return array;
            case "object":
                return Object(schema, pcg, depth, good);
            default:
                throw new NotSupportedException($"No generator for the type {type}");
        }
    }

    private JsonObject Object(JsonElement schema, PCG pcg, int depth, bool good)
    {
        var result = new JsonObject();
        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()!).ToHashSet() : [];
        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                if (pcg.Chance(required.Contains(property.Name) ? (good ? 1 : 0.97) : 0.5))
                {
                    result[property.Name] = FromSchema(property.Value, property.Name, pcg, depth + 1, good);
                }
            }
        }
        else if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
        {
            for (var n = (int)pcg.Next(3); n > 0; n--)
            {
                result[FuzzValues.Text.Draw(pcg)] = FromSchema(additional, "", pcg, depth + 1, good);
            }
        }
        return result;
    }

    private static long Integer(JsonElement schema, PCG pcg)
    {
        if (schema.TryGetProperty("minimum", out var min) && schema.TryGetProperty("maximum", out var max) && pcg.Chance(0.7))
        {
            return Gen.Long[(long)Bound(min), (long)Bound(max)].Draw(pcg);
        }
        return FuzzValues.Integer.Draw(pcg);
    }

    private static double Bound(JsonElement bound) =>
        bound.ValueKind == JsonValueKind.String ? double.Parse(bound.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : bound.GetDouble();

    /// <summary>One change to a random place of the body; the root itself may be replaced.</summary>
    private static JsonNode? Mutate(JsonNode? root, PCG pcg, List<string> mutations)
    {
        var places = new List<JsonNode>();
        Collect(root, places);
        var target = places.Count > 0 ? pcg.Pick(places) : null;
        var path = target?.GetPath() ?? "$";
        switch (pcg.Next(9))
        {
            case 0 when target is not null:
                var wrong = FuzzValues.WrongKind.Draw(pcg);
                mutations.Add($"{path} = {Show(wrong)}");
                return Replace(root, target, wrong);
            case 1 when target?.Parent is JsonObject parent:
                mutations.Add($"removed {path}");
                parent.Remove(target.GetPropertyName());
                return root;
            case 2 when target?.Parent is not null:
                mutations.Add($"{path} = null");
                return Replace(root, target, null);
            case 3 when target is not null:
                var huge = FuzzValues.Huge.Draw(pcg);
                mutations.Add($"{path} = a string of {huge.Length} characters");
                return Replace(root, target, JsonValue.Create(huge));
            case 4 when target is not null:
                var odd = FuzzValues.Odd.Draw(pcg);
                mutations.Add($"{path} = {Show(JsonValue.Create(odd))}");
                return Replace(root, target, JsonValue.Create(odd));
            case 5 when target is not null:
                var depth = pcg.Pick([8, 31, 33, 100, 1000]);
                mutations.Add($"{path} = nested {depth} deep");
                return Replace(root, target, Nested(depth, pcg.Chance(0.5)));
            // Only small items are repeated: a body of megabytes is cut off by the server mid-upload, which tells nothing.
            case 6 when target is JsonArray array && array.Count > 0 && (array[0]?.ToJsonString(Escaped).Length ?? 4) < 200:
                var times = pcg.Pick([2, 100, 1001]);
                for (var n = 1; n < times; n++)
                {
                    array.Add(array[0]?.DeepClone());
                }
                mutations.Add($"{path} has its first item {times} times");
                return root;
            case 7 when target is not null:
                var edge = pcg.Pick(FuzzValues.EdgeIntegers);
                mutations.Add($"{path} = {edge}");
                return Replace(root, target, JsonValue.Create(edge));
            default:
                var host = places.OfType<JsonObject>().ToList() is { Count: > 0 } objects ? pcg.Pick(objects) : root as JsonObject;
                if (host is null)
                {
                    return root;
                }
                var name = pcg.Chance(0.5) ? pcg.Pick(ExtraNames) : FuzzValues.Text.Draw(pcg);
                if (host.ContainsKey(name))
                {
                    return root;
                }
                var value = FuzzValues.Json(1).Draw(pcg);
                host[name] = value;
                mutations.Add($"added {host.GetPath()}[{JsonSerializer.Serialize(name)}] = {Show(value)}");
                return root;
        }
    }

    /// <summary>Every node below the root (the root's own fields, their items, …).</summary>
    private static void Collect(JsonNode? node, List<JsonNode> places)
    {
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is not null)
            {
                places.Add(child);
                Collect(child, places);
            }
        }
    }

    private static JsonNode? Replace(JsonNode? root, JsonNode target, JsonNode? value)
    {
        switch (target.Parent)
        {
            case JsonObject o:
                o[target.GetPropertyName()] = value;
                return root;
            case JsonArray a:
                a[target.GetElementIndex()] = value;
                return root;
            default:
                return value;
        }
    }

    private static JsonNode Nested(int depth, bool arrays)
    {
        JsonNode node = JsonValue.Create(1);
        for (var i = 0; i < depth; i++)
        {
            node = arrays ? new JsonArray(node) : new JsonObject { ["a"] = node };
        }
        return node;
    }

    /// <summary>Changes to the text that JSON nodes cannot make: broken syntax, duplicate names, lone surrogates, bytes that are not UTF-8.</summary>
    private static byte[] Raw(string text, PCG pcg, List<string> mutations)
    {
        switch (pcg.Next(6))
        {
            case 0 when text.Length > 1:
                var at = 1 + (int)pcg.Next((uint)text.Length - 1);
                mutations.Add($"cut after {at} characters");
                return Encoding.UTF8.GetBytes(text[..at]);
            case 1:
                var tail = pcg.Pick([",", "}", " x", "/* c */", "\u0000", "{}"]);
                mutations.Add($"followed by {JsonSerializer.Serialize(tail)}");
                return Encoding.UTF8.GetBytes(text + tail);
            case 2 when text.StartsWith("{\"", StringComparison.Ordinal):
                var name = text[1..(text.IndexOf('"', 2) + 1)];
                mutations.Add($"{name} given twice");
                return Encoding.UTF8.GetBytes("{" + name + ":1," + text[1..]);
            case 3 when text.Contains(":\"", StringComparison.Ordinal):
                var lone = pcg.Pick(["\\ud800", "\\udc00", "\\ud83d", "x\\udfff"]);
                mutations.Add($"a string starts with the lone surrogate {lone}");
                var start = text.IndexOf(":\"", StringComparison.Ordinal) + 2;
                return Encoding.UTF8.GetBytes(text[..start] + lone + text[start..]);
            case 4 when text.Contains(":\"", StringComparison.Ordinal):
                mutations.Add("a string holds bytes that are not UTF-8");
                var bytes = Encoding.UTF8.GetBytes(text).ToList();
                bytes.InsertRange(bytes.IndexOf((byte)'"', bytes.IndexOf((byte)':')) + 1, pcg.Pick<byte[]>([[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82]]));
                return [.. bytes];
            default:
                mutations.Add("a trailing comma in the object");
                return Encoding.UTF8.GetBytes(text.EndsWith('}') && text.Length > 2 ? text[..^1] + ",}" : text + ",");
        }
    }

    private static string? ContentType(PCG pcg, List<string> mutations)
    {
        if (!pcg.Chance(0.05))
        {
            return "application/json";
        }
        if (pcg.Chance(0.15))
        {
            mutations.Add("no Content-Type");
            return null;
        }
        var type = pcg.Pick(ContentTypes);
        mutations.Add($"Content-Type: {type}");
        return type;
    }

    private static string Show(JsonNode? value)
    {
        var text = value?.ToJsonString(Escaped) ?? "null";
        return text.Length > 60 ? text[..60] + "…" : text;
    }
}
