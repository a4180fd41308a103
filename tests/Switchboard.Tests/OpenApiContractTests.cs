using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Storage;

namespace Switchboard.Tests;

/// <summary>
/// The request schemas of the OpenAPI document say what the hub does: each example is accepted, a field
/// is required exactly when leaving it out is refused, and typed with null exactly when null is taken.
/// </summary>
public class OpenApiContractTests
{
    private const string Events = "/v4/accounts/{voip_id}/integrations/events";

    /// <summary>Every request body, in an order where each example finds the ids 1 it refers to.</summary>
    private static readonly (string Schema, HttpMethod Method, string Path)[] Requests =
    [
        ("ProfileRequest", HttpMethod.Post, $"{Events}/profiles"),
        ("CallbackRequest", HttpMethod.Post, $"{Events}/callbacks"),
        ("ListenerRequest", HttpMethod.Post, $"{Events}/listeners"),
        ("SubscriptionRequest", HttpMethod.Post, $"{Events}/listeners/{{listener_id}}/subscriptions"),
        ("FilterRequest", HttpMethod.Post, $"{Events}/listeners/{{listener_id}}/filters"),
        ("ScheduleRequest", HttpMethod.Post, "/v4/accounts/{voip_id}/schedules"),
        ("ExpressRequest", HttpMethod.Post, $"{Events}/overview"),
        ("ActivityRequest", HttpMethod.Post, "/v4/ingest"),
        ("ProfileChange", HttpMethod.Patch, $"{Events}/profiles/{{id}}"),
        ("CallbackChange", HttpMethod.Patch, $"{Events}/callbacks/{{id}}"),
        ("ListenerChange", HttpMethod.Patch, $"{Events}/listeners/{{id}}"),
        ("FilterChange", HttpMethod.Patch, $"{Events}/listeners/{{listener_id}}/filters/{{id}}"),
        ("ScheduleChange", HttpMethod.Patch, "/v4/accounts/{voip_id}/schedules/{id}"),
        ("ReplayRequest", HttpMethod.Post, $"{Events}/listeners/{{listener_id}}/events/replay"),
    ];

    [Fact]
    public async Task Every_request_body_has_an_example_that_the_hub_accepts()
    {
        await using var hub = await TestHub.StartAsync();
        using var clients = await Clients.StartAsync(hub);
        var document = await clients.DocumentAsync();

        var bodies = document["paths"]!.AsObject()
            .Where(p => !p.Key.Contains("/extensions/", StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Value?["requestBody"] is not null).Select(o => (Schema: SchemaOf(o.Value!), Method: o.Key.ToUpperInvariant(), Path: p.Key)))
            .ToHashSet();
        Assert.Equal(Requests.Select(r => (r.Schema, r.Method.Method, r.Path)).Order(), bodies.Order());
        foreach (var (schema, method, path) in Requests)
        {
            var example = document["components"]!["schemas"]![schema]!["example"];
            Assert.True(example is not null, $"{schema} has no example");
            var (status, body) = await clients.SendAsync(method, path, example!.ToJsonString());
            Assert.True((int)status is >= 200 and < 300, $"{method} {path} with the example of {schema} answered {(int)status}: {body}");
        }
    }

    [Fact]
    public async Task A_request_field_is_required_when_leaving_it_out_is_refused_and_typed_null_when_null_is_taken()
    {
        await using var hub = await TestHub.StartAsync();
        using var clients = await Clients.StartAsync(hub);
        var document = await clients.SendExamplesAsync();
        var schemas = document["components"]!["schemas"]!;

        var wrong = new List<string>();
        foreach (var (name, field, definition, example, body, at, method, path) in ExampleFields(schemas))
        {
            var required = schemas[name]!["required"]?.AsArray().Select(r => r!.GetValue<string>()).ToHashSet() ?? [];
            if (example.ContainsKey(field))
            {
                var without = (JsonObject)example.DeepClone();
                without.Remove(field);
                var refused = await clients.RefusesAsync(method, path, body(without), at);
                if (refused != required.Contains(field))
                {
                    wrong.Add($"{name}.{field}: {(refused ? "refused when left out, not required" : "required, yet taken when left out")}");
                }
            }
            if (Nullable(definition) is { } nullable)
            {
                var withNull = (JsonObject)example.DeepClone();
                withNull[field] = null;
                var refused = await clients.RefusesAsync(method, path, body(withNull), at);
                if (refused == nullable)
                {
                    wrong.Add($"{name}.{field}: {(refused ? "typed with null, yet null is refused" : "null is taken, yet not typed with null")}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public async Task A_request_string_field_lists_its_values_exactly_when_the_hub_takes_only_those()
    {
        await using var hub = await TestHub.StartAsync();
        using var clients = await Clients.StartAsync(hub);
        var document = await clients.SendExamplesAsync();
        var schemas = document["components"]!["schemas"]!;

        var wrong = new List<string>();
        foreach (var (name, field, definition, example, body, at, method, path) in ExampleFields(schemas))
        {
            var isString = example[field] is JsonValue value ? value.GetValueKind() == JsonValueKind.String : !example.ContainsKey(field) && IsString(definition);
            if (!isString)
            {
                continue;
            }
            var declared = definition?["enum"]?.AsArray().Select(v => v!.GetValue<string>()).ToList();
            var other = (JsonObject)example.DeepClone();
            other[field] = "none-of-these";
            var message = await clients.FieldMessageAsync(method, path, body(other), at);
            var taken = message switch
            {
                not null when message.StartsWith(OneOfPrefix, StringComparison.Ordinal) => message[OneOfPrefix.Length..].Split(", ").ToList(),
                not null when message.StartsWith("must be \"", StringComparison.Ordinal) && message.EndsWith('"') => [message["must be \"".Length..^1]],
                _ => null,
            };
            if (taken is null && declared is not null)
            {
                wrong.Add($"{name}.{field}: declares [{string.Join(", ", declared)}], yet the hub answered \"{message ?? "2xx"}\" to another value");
            }
            else if (taken is not null && (declared is null || !declared.Order().SequenceEqual(taken.Order())))
            {
                wrong.Add($"{name}.{field}: the hub takes only [{string.Join(", ", taken)}], the document declares [{string.Join(", ", declared ?? [])}]");
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    /// <summary>
    /// A field of a request body's example: the schema it belongs to, its definition, the object that
    /// holds it in the example, how to put a changed copy of that object back into the whole body, and
    /// the name the hub gives it in <c>@fields</c>.
    /// </summary>
    private sealed record ExampleField(string Schema, string Field, JsonNode? Definition, JsonObject Owner, Func<JsonObject, JsonObject> Body, string At, HttpMethod Method, string Path);

    /// <summary>Every field of every request schema, with the fields of an inline object of its example (an express create's :callback).</summary>
    private static IEnumerable<ExampleField> ExampleFields(JsonNode schemas)
    {
        foreach (var (schema, method, path) in Requests)
        {
            foreach (var field in FieldsOf(schema, schemas[schema]!["example"]!.AsObject(), body => body, "", method, path))
            {
                yield return field;
            }
        }

        IEnumerable<ExampleField> FieldsOf(string name, JsonObject example, Func<JsonObject, JsonObject> body, string prefix, HttpMethod method, string path)
        {
            foreach (var (field, definition) in schemas[name]!["properties"]!.AsObject())
            {
                yield return new ExampleField(name, field, definition, example, body, prefix + field, method, path);
                if (example[field] is JsonObject inner && ObjectSchema(definition) is { } innerName && schemas[innerName]?["properties"] is not null)
                {
                    JsonObject Outer(JsonObject changed)
                    {
                        var outer = (JsonObject)example.DeepClone();
                        outer[field] = changed;
                        return body(outer);
                    }
                    foreach (var innerField in FieldsOf(innerName, inner, Outer, $"{prefix}{field}.", method, path))
                    {
                        yield return innerField;
                    }
                }
            }
        }
    }

    /// <summary>Whether a field's schema is a string, or a string or null.</summary>
    private static bool IsString(JsonNode? definition) => definition?["type"] switch
    {
        JsonArray types => types.Any(t => t!.GetValue<string>() == "string"),
        JsonValue type => type.GetValue<string>() == "string",
        _ => false,
    };

    [Fact]
    public async Task Every_field_a_read_answers_with_is_required_in_its_schema()
    {
        await using var hub = await TestHub.StartAsync();
        using var clients = await Clients.StartAsync(hub);
        var document = await clients.SendExamplesAsync();
        var schemas = document["components"]!["schemas"]!;

        var wrong = new List<string>();
        var read = 0;
        foreach (var (path, item) in document["paths"]!.AsObject().Where(p => p.Key.EndsWith("{id}", StringComparison.Ordinal) && !p.Key.Contains("/extensions/", StringComparison.Ordinal)))
        {
            if (item!["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>().Split('/')[^1] is not { } name)
            {
                continue;
            }
            var (status, text) = await clients.SendAsync(HttpMethod.Get, path, "");
            Assert.True(status == HttpStatusCode.OK, $"GET {path} answered {(int)status}: {text}");
            read++;
            var required = schemas[name]!["required"]?.AsArray().Select(r => r!.GetValue<string>()).ToHashSet() ?? [];
            wrong.AddRange(JsonNode.Parse(text)!.AsObject().Select(f => f.Key).Where(f => !required.Contains(f)).Select(f => $"{name}.{f}: always answered, not required"));
        }

        Assert.True(read >= 5, $"only {read} reads by id were found in the document");
        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    /// <summary>How the hub words a field that takes one of fixed values (FieldErrors.OneOf), or just one (must be "2.0.0").</summary>
    private const string OneOfPrefix = "must be one of ";

    /// <summary>
    /// Whether the field's schema allows null: by its type list, or by a null among its oneOf or anyOf. Null
    /// when it says nothing about null, like an untyped (any JSON) or a plain $ref field.
    /// </summary>
    private static bool? Nullable(JsonNode? definition)
    {
        if (definition?["type"] is { } type)
        {
            return type is JsonArray types ? types.Any(t => t!.GetValue<string>() == "null") : type.GetValue<string>() == "null";
        }
        if ((definition?["oneOf"] ?? definition?["anyOf"]) is JsonArray choices)
        {
            return choices.Any(c => c?["type"]?.GetValue<string>() == "null");
        }
        return null;
    }

    /// <summary>The component schema an object field refers to, directly or as a choice of its oneOf.</summary>
    private static string? ObjectSchema(JsonNode? definition)
    {
        var reference = definition?["$ref"] ?? (definition?["oneOf"] as JsonArray)?.Select(c => c?["$ref"]).FirstOrDefault(r => r is not null);
        return reference?.GetValue<string>().Split('/')[^1];
    }

    private static string SchemaOf(JsonNode operation) =>
        operation["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>().Split('/')[^1];

    /// <summary>An account client for account 1000002's routes, an operator client for ingest.</summary>
    private sealed class Clients(HttpClient account, HttpClient ingest) : IDisposable
    {
        public static async Task<Clients> StartAsync(TestHub hub) =>
            new(await hub.ClientAsync(TokenScope.Account, 1000002), await hub.ClientAsync(TokenScope.Operator));

        public async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await account.GetStringAsync("/openapi/v1.json"))!;

        public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string json)
        {
            var client = path == "/v4/ingest" ? ingest : account;
            var url = path.Replace("{voip_id}", "1000002", StringComparison.Ordinal).Replace("{listener_id}", "1", StringComparison.Ordinal).Replace("{id}", "1", StringComparison.Ordinal);
            using var response = await client.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        /// <summary>The document, once every example has been sent, so that the ids 1 they refer to exist.</summary>
        public async Task<JsonNode> SendExamplesAsync()
        {
            var document = await DocumentAsync();
            foreach (var (schema, method, path) in Requests)
            {
                await SendAsync(method, path, document["components"]!["schemas"]![schema]!["example"]!.ToJsonString());
            }
            return document;
        }

        /// <summary>True when the hub answers 422 naming <paramref name="field"/>; false when it takes the body.</summary>
        public async Task<bool> RefusesAsync(HttpMethod method, string path, JsonObject body, string field)
        {
            var (status, text) = await SendAsync(method, path, body.ToJsonString());
            if ((int)status is >= 200 and < 300)
            {
                return false;
            }
            Assert.True(status == HttpStatusCode.UnprocessableEntity, $"{method} {path} {body.ToJsonString()} answered {(int)status}: {text}");
            using var error = JsonDocument.Parse(text);
            return error.RootElement.GetProperty("@error").TryGetProperty("@fields", out var fields)
                && fields.EnumerateObject().Any(f => f.Name == field || f.Name.StartsWith(field + ".", StringComparison.Ordinal) || f.Name.StartsWith(field + "[", StringComparison.Ordinal));
        }

        /// <summary>The 422's message for <paramref name="field"/>; null when the hub takes the body.</summary>
        public async Task<string?> FieldMessageAsync(HttpMethod method, string path, JsonObject body, string field)
        {
            var (status, text) = await SendAsync(method, path, body.ToJsonString());
            if ((int)status is >= 200 and < 300)
            {
                return null;
            }
            Assert.True(status == HttpStatusCode.UnprocessableEntity, $"{method} {path} {body.ToJsonString()} answered {(int)status}: {text}");
            using var error = JsonDocument.Parse(text);
            return error.RootElement.GetProperty("@error").TryGetProperty("@fields", out var fields) && fields.TryGetProperty(field, out var message)
                ? message.GetString()
                : $"(no message for {field}: {text})";
        }

        public void Dispose()
        {
            account.Dispose();
            ingest.Dispose();
        }
    }
}
