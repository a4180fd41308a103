using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>A hub, a receiver that accepts verification, and one of each resource to update.</summary>
public sealed class BadInputFixture : IAsyncLifetime
{
    internal TestHub Hub { get; private set; } = null!;

    internal Receiver Receiver { get; private set; } = null!;

    internal HttpClient Client { get; private set; } = null!;

    public Dictionary<string, long> Ids { get; } = [];

    public async Task InitializeAsync()
    {
        Hub = await TestHub.StartAsync();
        Receiver = await Receiver.StartAsync();
        Client = await Hub.ClientAsync(TokenScope.Account, 1000002);
        Ids["profile"] = await CreateAsync(Client, $"{AccountBase}/profiles", """{"name": "P"}""");
        Ids["callback"] = await CreateAsync(Client, $"{AccountBase}/callbacks", $$$"""{"config": {"url": "{{{Receiver.Url}}}", "headers": [{"name": "X-A", "value": "1"}]}}""");
        Ids["listener"] = await CreateAsync(Client, $"{AccountBase}/listeners", $$$"""{"callback_id": {{{Ids["callback"]}}}}""");
        Ids["filter"] = await CreateAsync(Client, $"{AccountBase}/listeners/{Ids["listener"]}/filters", """{"filter_type": "number", "filter_value": {"eq": "+15551234567"}}""");
        Ids["schedule"] = await CreateAsync(Client, "/v4/accounts/1000002/schedules", """{"name": "S", "time_zone": "UTC", "rules": []}""");
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Receiver.DisposeAsync();
        await Hub.DisposeAsync();
    }
}

/// <summary>
/// api.md, Errors: no input may cause a 5xx. Every create and update route gets every field
/// replaced by each wrong JSON kind, removed, nulled, emptied, blown up, and unknown fields
/// added; then bodies that are not JSON objects at all. Every answer must be a 4xx in the
/// envelope (or, for a change that is still valid, a 2xx), and the hub must stay healthy.
/// </summary>
public class BadInputTests(BadInputFixture fixture) : IClassFixture<BadInputFixture>
{
    public static TheoryData<string> Bodies() => [.. BodyNames];

    private static readonly string[] BodyNames =
    [
        "POST profiles", "PATCH profiles",
        "POST callbacks http", "POST callbacks email", "POST callbacks sms", "POST callbacks ga", "PATCH callbacks",
        "POST listeners", "PATCH listeners",
        "POST subscriptions",
        "POST filters number", "POST filters in", "POST filters schedule", "PATCH filters",
        "POST schedules", "PATCH schedules",
        "POST overview",
    ];

    /// <summary>The route and a body that succeeds on it.</summary>
    private (string Method, string Path, string Body) Valid(string name)
    {
        var ids = fixture.Ids;
        var url = fixture.Receiver.Url;
        var listener = $"{AccountBase}/listeners/{ids["listener"]}";
        return name switch
        {
            "POST profiles" => ("POST", $"{AccountBase}/profiles", """{"name": "Ops", "support_email": "ops@example.org"}"""),
            "PATCH profiles" => ("PATCH", $"{AccountBase}/profiles/{ids["profile"]}", """{"name": "Ops", "support_email": "ops@example.org"}"""),
            "POST callbacks http" => ("POST", $"{AccountBase}/callbacks", $$$"""
                {"name": "n", "enabled": true, "mode": "HTTP", "profile_id": {{{ids["profile"]}}},
                 "config": {"url": "{{{url}}}", "method": "POST", "headers": [{"name": "X-A", "value": "1"}], "timeout": 5, "rate-limit": {"number": 10, "period": 60} } }
                """),
            "POST callbacks email" => ("POST", $"{AccountBase}/callbacks", """{"config": {"email": "a@example.org", "mode": "text", "rate-limit": {"number": 1, "period": 60}}}"""),
            "POST callbacks sms" => ("POST", $"{AccountBase}/callbacks", """{"config": {"application": "sms-autoresponder", "parameters": {"message": "hi", "rate-limit": 600}}}"""),
            "POST callbacks ga" => ("POST", $"{AccountBase}/callbacks", """{"config": {"application": "google-analytics", "parameters": {"tracking_id": "G-ABC123", "api_secret": "s", "dynamic": {"el": "direction"}}}}"""),
            "PATCH callbacks" => ("PATCH", $"{AccountBase}/callbacks/{ids["callback"]}", $$$"""{"name": "n", "enabled": true, "config": {"url": "{{{url}}}", "headers": [{"name": "X-A", "value": "1"}], "timeout": 3}}"""),
            "POST listeners" => ("POST", $"{AccountBase}/listeners", $$$"""{"callback_id": {{{ids["callback"]}}}, "version": "2.0.0", "expires_at": 4102444800}"""),
            "PATCH listeners" => ("PATCH", listener, $$$"""{"callback_id": {{{ids["callback"]}}}, "version": "2.0.0", "expires_at": 4102444800}"""),
            "POST subscriptions" => ("POST", $"{listener}/subscriptions", """{":tags": ["call", "inbound"]}"""),
            "POST filters number" => ("POST", $"{listener}/filters", """{"filter_type": "number", "filter_value": {"eq": "+15551234567"}, "not_logic": false}"""),
            "POST filters in" => ("POST", $"{listener}/filters", """{"filter_type": "number", "filter_value": {"in": ["+15551234567", "+442071234567"]}}"""),
            "POST filters schedule" => ("POST", $"{listener}/filters", $$$"""{"filter_type": "schedule", "filter_value": {"id": {{{ids["schedule"]}}}}, "not_logic": true}"""),
            "PATCH filters" => ("PATCH", $"{listener}/filters/{ids["filter"]}", """{"filter_type": "number", "filter_value": {"match": "+1%"}, "not_logic": true}"""),
            "POST schedules" => ("POST", "/v4/accounts/1000002/schedules", """
                {"name": "S", "time_zone": "Europe/Paris", "rules": [{"days": ["mon", "fri"], "from": "08:00", "to": "18:00"}],
                 "exceptions": [{"date": "2026-05-01", "open": false}, {"date": "2026-05-02", "open": true, "from": "10:00", "to": "12:00"}]}
                """),
            "PATCH schedules" => ("PATCH", $"/v4/accounts/1000002/schedules/{ids["schedule"]}", """{"name": "S", "time_zone": "UTC", "rules": [{"days": ["sun"], "from": "00:00", "to": "24:00"}], "exceptions": []}"""),
            "POST overview" => ("POST", $"{AccountBase}/overview", """
                {":callback": {"name": "x", "config": {"email": "a@example.org"}, ":profile": {"name": "P", "support_email": null}},
                 ":subscriptions": [{":tags": ["call"]}], ":filters": [{"filter_type": "number", "filter_value": {"in": ["+15551234567"]}}],
                 "version": "2.0.0", "expires_at": null}
                """),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
        return await fixture.Client.SendAsync(request);
    }

    /// <summary>Not a 5xx; a non-2xx in the envelope. Returns the status.</summary>
    private static async Task<int> AssertAnsweredAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        Assert.True(status < 500, $"{what}: {status} {await response.Content.ReadAsStringAsync()}");
        if (status >= 300)
        {
            await ErrorAsync(response, response.StatusCode);
        }
        return status;
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Every_field_with_a_wrong_kind_missing_null_empty_or_huge_is_answered_without_a_5xx(string name)
    {
        var (method, path, valid) = Valid(name);
        Assert.InRange(await AssertAnsweredAsync(await SendAsync(method, path, Json(valid)), $"{name} valid"), 200, 299);

        foreach (var (what, body, mustFail) in Mutations(JsonNode.Parse(valid)!))
        {
            var status = await AssertAnsweredAsync(await SendAsync(method, path, Json(body)), $"{name} with {what}");
            if (mustFail)
            {
                Assert.True(status is >= 400 and < 500, $"{name} with {what} answered {status}");
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await fixture.Hub.Http.GetAsync("/healthz")).StatusCode);
        Assert.InRange(await AssertAnsweredAsync(await SendAsync(method, path, Json(valid)), $"{name} valid again"), 200, 299);
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Bodies_that_are_not_json_objects_are_4xx_in_the_envelope(string name)
    {
        var (method, path, _) = Valid(name);
        var cases = new (string What, HttpContent? Content, int Status)[]
        {
            ("no body", null, 415),
            ("text/plain", new StringContent("hello", Encoding.UTF8, "text/plain"), 415),
            ("form", new FormUrlEncodedContent([new("name", "x")]), 415),
            ("no content type", new ByteArrayContent("{}"u8.ToArray()), 415),
            ("empty JSON", Json(""), 400),
            ("truncated", Json("{\"name\": "), 400),
            ("array", Json("[]"), 400),
            ("string", Json("\"name\""), 400),
            ("number", Json("123"), 400),
            ("null", Json("null"), 400),
            ("two values", Json("{} {}"), 400),
            ("comment", Json("{/* x */}"), 400),
            ("trailing comma", Json("{\"a\": 1,}"), 400),
            ("single quotes", Json("{'a': 1}"), 400),
            ("invalid UTF-8", new ByteArrayContent([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) { Headers = { ContentType = new("application/json") } }, 400),
            ("duplicate keys", Json("{\"a\": 1, \"a\": 2}"), 400),
            ("too deep", Json(string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200)), 400),
            ("over the size limit", Json("{\"name\": \"" + new string('x', 70_000) + "\"}"), 413),
            ("lone surrogate key", Json("{\"\\ud800\": 1}"), 400),
            ("lone surrogate value", Json("{\"name\": \"a\\udc00\"}"), 400),
            ("NUL key", Json("{\"a\\u0000b\": 1}"), 422),
            ("huge number", Json("{\"x\": 1e400}"), 422),
        };
        foreach (var (what, content, status) in cases)
        {
            var response = await SendAsync(method, path, content);
            Assert.True((int)response.StatusCode == status, $"{name} with {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await ErrorAsync(response, response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await fixture.Hub.Http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_answered_413_without_an_error_in_the_log()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var log = LogCapture.AttachTo(hub);

        var response = await client.PostAsync($"{AccountBase}/callbacks", Json("{\"name\": \"" + new string('x', 70_000) + "\"}"));

        await ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Error);
        Assert.DoesNotContain(log.Entries, e => e.Exception is not null);
    }

    [Fact]
    public async Task Bad_list_queries_and_ids_are_4xx_in_the_envelope()
    {
        var listener = $"{AccountBase}/listeners/{fixture.Ids["listener"]}";
        var cases = new (string Path, int Status)[]
        {
            ($"{AccountBase}/callbacks?limit=abc", 422),
            ($"{AccountBase}/callbacks?limit=1e3", 422),
            ($"{AccountBase}/callbacks?limit=", 422),
            ($"{AccountBase}/callbacks?limit=-5", 422),
            ($"{AccountBase}/callbacks?offset=99999999999", 422),
            ($"{AccountBase}/callbacks?filters[enabled]=1", 422),
            ($"{AccountBase}/callbacks?filters[profile_id]=99999999999999999999999", 422),
            ($"{AccountBase}/callbacks?filters[config]=x", 422),
            ($"{AccountBase}/callbacks?filters[name]=a&filters[name]=b", 422),
            ($"{AccountBase}/callbacks?filters[]=x", 422),
            ($"{AccountBase}/listeners?filters[callback_id][x]=1", 422),
            ($"{listener}/subscriptions?filters[tags]=call", 422),
            ($"{AccountBase}/overview?limit=0", 422),
            ($"/v4/accounts/1000002/schedules?offset=x", 422),
            ($"{AccountBase}/callbacks/-1", 404),
            ($"{AccountBase}/callbacks/0", 404),
            ($"{AccountBase}/callbacks/1.5", 404),
            ($"{AccountBase}/callbacks/99999999999999999999999", 404),
            ($"{AccountBase}/listeners/abc/filters", 404),
            ("/v4/accounts/abc/integrations/events/callbacks", 404),
            ("/v4/accounts/99999999999999999999/integrations/events/callbacks", 404),
            ($"{AccountBase}/nothing", 404),
        };
        foreach (var (path, status) in cases)
        {
            var response = await fixture.Client.GetAsync(path);
            Assert.True((int)response.StatusCode == status, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await ErrorAsync(response, response.StatusCode);
        }
        foreach (var method in new[] { "PUT", "POST" })
        {
            var response = await SendAsync(method, $"{AccountBase}/callbacks/{fixture.Ids["callback"]}", Json("{}"));
            await ErrorAsync(response, HttpStatusCode.MethodNotAllowed);
        }
    }

    /// <summary>
    /// Every field of <paramref name="valid"/>, at every depth, replaced by each other JSON kind
    /// (must fail), by null or removed (may pass if optional), by an empty string, a huge string
    /// and a huge array (must fail), plus an unknown field in every object (must fail).
    /// </summary>
    private static IEnumerable<(string What, string Body, bool MustFail)> Mutations(JsonNode valid)
    {
        foreach (var (path, value) in Walk(valid, ""))
        {
            var kind = value?.GetValueKind();
            // Values where another kind is accepted too: GA static literals may be numbers, and a
            // header value of true keeps the stored value (responses mask it so) in an update.
            var lenient = path.Contains(".static.", StringComparison.Ordinal) || (path.Contains("headers[", StringComparison.Ordinal) && path.EndsWith(".value", StringComparison.Ordinal));
            foreach (var (label, replacement) in new (string, Func<JsonNode?>)[]
            {
                ("a string", () => "text"), ("an integer", () => 7), ("a negative integer", () => -1), ("a fraction", () => 1.5),
                ("true", () => true), ("false", () => false), ("an array", () => new JsonArray()), ("an object", () => new JsonObject()),
            })
            {
                var node = replacement();
                var sameKind = node?.GetValueKind() == kind
                    || (kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False && node?.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False);
                yield return ($"{path} as {label}", Replace(valid, path, node), !sameKind && !lenient);
            }
            yield return ($"{path} as null", Replace(valid, path, null), false);
            yield return ($"{path} removed", Remove(valid, path), false);
            if (kind == System.Text.Json.JsonValueKind.String)
            {
                yield return ($"{path} empty", Replace(valid, path, ""), true);
                yield return ($"{path} blank", Replace(valid, path, "   "), true);
                yield return ($"{path} huge", Replace(valid, path, new string('9', 20_000)), true);
            }
            if (kind == System.Text.Json.JsonValueKind.Number)
            {
                yield return ($"{path} huge", Replace(valid, path, JsonNode.Parse("99999999999999999999999")), true);
                yield return ($"{path} as -2^63", Replace(valid, path, long.MinValue), true);
            }
            if (kind == System.Text.Json.JsonValueKind.Array && ((JsonArray)value!).Count > 0)
            {
                var item = ((JsonArray)value!)[0]!.ToJsonString();
                yield return ($"{path} with 2000 items", Replace(valid, path, JsonNode.Parse("[" + string.Join(",", Enumerable.Repeat(item, 2000)) + "]")), true);
            }
            if (kind == System.Text.Json.JsonValueKind.Object)
            {
                var copy = JsonNode.Parse(valid.ToJsonString())!;
                ((JsonObject)Find(copy, path)!)["surprise"] = 1;
                yield return ($"{path} with an unknown field", copy.ToJsonString(), true);
            }
        }
        var top = JsonNode.Parse(valid.ToJsonString())!.AsObject();
        top["surprise"] = 1;
        yield return ("an unknown top-level field", top.ToJsonString(), true);
    }

    private static IEnumerable<(string Path, JsonNode? Value)> Walk(JsonNode? node, string path)
    {
        if (path.Length > 0)
        {
            yield return (path, node);
        }
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    foreach (var inner in Walk(child, path.Length == 0 ? key : $"{path}.{key}"))
                    {
                        yield return inner;
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var inner in Walk(array[i], $"{path}[{i}]"))
                    {
                        yield return inner;
                    }
                }
                break;
        }
    }

    /// <summary>The node at a path made of <c>.key</c> and <c>[i]</c> steps (keys here contain no dots or brackets).</summary>
    private static JsonNode? Find(JsonNode root, string path)
    {
        var node = root;
        foreach (var step in System.Text.RegularExpressions.Regex.Matches(path, @"[^.\[\]]+|\[\d+\]").Select(m => m.Value))
        {
            node = step.StartsWith('[') ? node![int.Parse(step[1..^1], System.Globalization.CultureInfo.InvariantCulture)] : node![step];
        }
        return node;
    }

    private static string Replace(JsonNode valid, string path, JsonNode? replacement)
    {
        var copy = JsonNode.Parse(valid.ToJsonString())!;
        var target = Find(copy, path)!;
        var parent = target?.Parent ?? FindParent(copy, path);
        switch (parent)
        {
            case JsonObject obj:
                obj[LastKey(path)] = replacement;
                break;
            case JsonArray array:
                array[LastIndex(path)] = replacement;
                break;
        }
        return copy.ToJsonString();
    }

    private static string Remove(JsonNode valid, string path)
    {
        var copy = JsonNode.Parse(valid.ToJsonString())!;
        switch (FindParent(copy, path))
        {
            case JsonObject obj:
                obj.Remove(LastKey(path));
                break;
            case JsonArray array:
                array.RemoveAt(LastIndex(path));
                break;
        }
        return copy.ToJsonString();
    }

    private static JsonNode? FindParent(JsonNode root, string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? root : Find(root, path[..cut]);
    }

    private static string LastKey(string path) => path[(path.LastIndexOf('.') + 1)..];

    private static int LastIndex(string path) => int.Parse(path[(path.LastIndexOf('[') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
}
