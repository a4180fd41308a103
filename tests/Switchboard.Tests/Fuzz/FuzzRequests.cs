using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Switchboard.Tests;

/// <summary>
/// One request of a fuzz run, made for <see cref="Operation"/> (though its method or path may have been
/// spoilt so that it reaches another route or none). <see cref="Tenant"/>, <see cref="ListenerId"/> and
/// <see cref="Id"/> are the path's base and ids where they were well formed.
/// </summary>
internal sealed record FuzzRequest(
    ApiOperation Operation, string Method, string PathAndQuery, string? Authorization, string TokenName, FuzzBody? Body,
    Tenant? Tenant, long? ListenerId, long? Id)
{
    public override string ToString()
    {
        var body = Body?.Bytes is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;
        var shown = body is null ? "(no body)" : body.Length > 2000 ? $"{body[..2000]}… ({Body!.Bytes!.Length} bytes in all)" : body;
        var mutations = Body?.Mutations is { Count: > 0 } m ? $"\n  made by: {string.Join("; ", m)}" : "";
        var target = PathAndQuery.Length > 400 ? $"{PathAndQuery[..300]}… ({PathAndQuery.Length} characters in all)" : PathAndQuery;
        return $"{Method} {target}\n  token: {TokenName}\n  Content-Type: {Body?.ContentType ?? "(none)"}\n  body: {shown}{mutations}";
    }
}

/// <summary>
/// Makes the requests of a fuzz run from the operations of the document: the base of a tenant the token
/// may use (mostly) or may not, path ids of the base's own resources, of other tenants' and of nothing,
/// garbage and %-encoded segments, the declared query parameters with valid and hostile values, and bodies
/// from <see cref="FuzzBodies"/> with the values of this world where the schema says "any JSON" or "an id".
/// </summary>
internal sealed class FuzzRequests
{
    /// <summary>Known tags (tags.md), the account-level-only ones last.</summary>
    private static readonly string[] Tags = ["call", "inbound", "outbound", "recording", "message", "sms-message", "call-log", "new-call", "first-leg", "api-error", "api-error-trusted"];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    private readonly FuzzWorld _world;
    private readonly FuzzBodies _bodies;
    private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private readonly Dictionary<string, Func<PCG, JsonNode?>> _hints;
    private readonly Dictionary<string, JsonNode> _activities;

    /// <summary>The base of the request being made, for the ids its body names.</summary>
    private Tenant _tenant = FuzzWorld.Account;

    /// <summary>Whether the request being made is a well-behaved one: see <see cref="Next"/>.</summary>
    private bool _good;

    /// <summary>The data_type of the activity being made, for its data.</summary>
    private string? _dataType;

    /// <summary>The callback mode of a well-behaved body, for its config (or the other way round).</summary>
    private string? _mode;

    /// <summary>The filter_type of the filter being made, for its filter_value.</summary>
    private string? _filterType;

    public FuzzRequests(FuzzWorld world, SchemaCheck schemas)
    {
        _world = world;
        _activities = new[] { "call-log", "message", "recording" }.ToDictionary(
            name => name, name => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "events", name + ".json")))!["data"]!);
        _hints = Hints();
        _bodies = new FuzzBodies(schemas, (field, pcg) => _hints[field](pcg), _hints.ContainsKey);
    }

    /// <summary>
    /// A request for <paramref name="operation"/>. About a third are well behaved — the operation's method,
    /// the token's own base, ids of that base, valid query values and a body of valid values — so that
    /// resources get made, changed and deleted and 2xx answers are checked; the rest are spoilt anywhere.
    /// </summary>
    public FuzzRequest Next(ApiOperation operation, PCG pcg)
    {
        _good = pcg.Chance(0.35);
        (_dataType, _mode, _filterType) = (null, null, null);
        var method = !_good && pcg.Chance(0.03) ? pcg.Pick(Methods) : operation.Method;
        var onExtension = operation.Template.Contains("{extension_id}", StringComparison.Ordinal);
        var tenant = (onExtension, _good || pcg.Chance(0.6)) switch
        {
            (true, true) => FuzzWorld.Extension,
            (false, true) => FuzzWorld.Account,
            (true, false) => pcg.Pick([FuzzWorld.Extension, FuzzWorld.OtherExtension, FuzzWorld.OtherAccountsExtension, new Tenant(1000002, 1)]),
            (false, false) => pcg.Pick([FuzzWorld.Account, FuzzWorld.OtherAccount, new Tenant(1, null)]),
        };
        _tenant = tenant;
        var (authorization, tokenName) = Token(operation, tenant, pcg);

        Tenant? wellFormedTenant = tenant;
        long? listenerId = null;
        long? id = null;
        var path = operation.Template;
        foreach (var parameter in operation.InPath)
        {
            string value;
            var wellFormed = true;
            switch (parameter.Name)
            {
                case "voip_id" or "extension_id":
                    var own = parameter.Name == "voip_id" ? tenant.VoipId : tenant.ExtensionId!.Value;
                    (value, wellFormed) = !_good && pcg.Chance(0.06) ? Hostile(pcg) : (FuzzValues.Number(own), true);
                    break;
                case "listener_id":
                    // A listener with subscriptions, filters or events, when the path goes on to one of them.
                    var below = operation.Template.EndsWith("{id}", StringComparison.Ordinal) || operation.Template.Contains("{uuid}", StringComparison.Ordinal) ? operation.Resource : null;
                    (value, wellFormed, listenerId) = Id("listeners", null, tenant, false, below, pcg);
                    break;
                case "id":
                    (value, wellFormed, id) = Id(operation.Resource, listenerId, tenant, method == "DELETE", null, pcg);
                    break;
                case "uuid":
                    (value, wellFormed) = Uuid(listenerId, tenant, pcg);
                    break;
                default:
                    throw new NotSupportedException($"No values for the path parameter {parameter.Name} of {operation}");
            }
            if (!wellFormed && parameter.Name is "voip_id" or "extension_id")
            {
                wellFormedTenant = null;
            }
            path = path.Replace("{" + parameter.Name + "}", value, StringComparison.Ordinal);
        }

        var body = operation.RequestSchema is not { } schema ? (_good ? null : FuzzBodies.Unasked(pcg))
            : operation.RequestMediaTypes.Contains(FuzzBodies.NdJson) && pcg.Chance(0.3) ? Lines(schema, pcg)
            : _bodies.Next(schema, pcg, _good, root => Settle(operation, root, pcg));
        return new FuzzRequest(operation, method, path + Query(operation, pcg), authorization, tokenName, body, wellFormedTenant, listenerId, id);
    }

    /// <summary>A batch for an operation that takes NDJSON (ingest.md, Transports): one body of the schema a line.</summary>
    private FuzzBody Lines(JsonElement schema, PCG pcg)
    {
        var lines = Enumerable.Range(0, 1 + (int)pcg.Next(4)).Select(_ => _bodies.Next(schema, pcg, _good, _ => { })).ToList();
        var separator = _good || pcg.Chance(0.7) ? "\n" : pcg.Pick(["\r\n", "\n\n", "\r"]);
        var bytes = lines.SelectMany((line, i) => i == 0 ? line.Bytes! : [.. System.Text.Encoding.UTF8.GetBytes(separator), .. line.Bytes!]).ToArray();
        return new FuzzBody(bytes, FuzzBodies.NdJson, [$"{lines.Count} lines of NDJSON", .. lines.SelectMany(l => l.Mutations)]);
    }

    /// <summary>
    /// Makes a well-behaved body keep the rules between fields that a schema cannot say: an express create
    /// names its callback by callback_id or inline, not both, and an inline profile by profile_id or inline
    /// (api.md, Overview).
    /// </summary>
    private void Settle(ApiOperation operation, JsonObject root, PCG pcg)
    {
        if (operation.Resource != "overview")
        {
            return;
        }
        if (root[":callback"] is not JsonObject || (root.ContainsKey("callback_id") && pcg.Chance(0.5)))
        {
            root.Remove(":callback");
            root["callback_id"] = KnownId("callbacks", pcg);
        }
        else
        {
            root.Remove("callback_id");
        }
        if (root[":callback"] is JsonObject callback && callback.ContainsKey(":profile"))
        {
            if (callback[":profile"] is JsonObject)
            {
                callback.Remove("profile_id");
            }
            else
            {
                callback.Remove(":profile");
            }
        }
    }

    /// <summary>Mostly a token the base allows; else another tenant's, none, an unknown one or a malformed header.</summary>
    private (string? Header, string Name) Token(ApiOperation operation, Tenant tenant, PCG pcg)
    {
        var onBase = operation.Template.Contains("{voip_id}", StringComparison.Ordinal);
        if (_good || pcg.Chance(0.7))
        {
            var token = onBase ? pcg.Pick(_world.Allowed(tenant).ToList()) : _world.Operator;
            return ($"Bearer {token.Header}", token.Name);
        }
        switch (pcg.Next(6))
        {
            case 0:
                return (null, "none");
            case 1:
                return ("Bearer sb_" + Gen.String.AlphaNumeric.Draw(pcg), "an unknown token");
            case 2:
                var other = pcg.Pick(_world.Tokens.Values.Append(_world.Operator).ToList());
                return ($"Bearer {other.Header}", other.Name);
            case 3:
                return (pcg.Pick(["Basic YTpi", "Bearer", "Bearer  ", "bearer x", "Token abc", "Bearer sb_%00", "Bearer a b"]), "a malformed header");
            case 4:
                return ("Bearer " + new string('x', 10_000), "a token of 10 000 characters");
            default:
                var revoked = pcg.Pick(_world.Tokens.Values.ToList());
                return ($"Bearer {revoked.Header}x", $"{revoked.Name} with a character more");
        }
    }

    private static (string Value, bool WellFormed) Hostile(PCG pcg)
    {
        var value = pcg.Pick(FuzzValues.HostileSegment);
        return (value, long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) || (value.StartsWith('-') && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)));
    }

    /// <summary>
    /// An id for a path: the base's own resource (below <paramref name="listenerId"/> for a listener's
    /// subscriptions and filters; for a listener, one that has some <paramref name="children"/>), another
    /// tenant's, a number naming nothing, or garbage. Resources made before the run are not deleted.
    /// </summary>
    private (string Value, bool WellFormed, long? Id) Id(string resource, long? listenerId, Tenant tenant, bool delete, string? children, PCG pcg)
    {
        var roll = _good ? 100 : pcg.Next(100);
        if (roll < 12)
        {
            var (value, wellFormed) = Hostile(pcg);
            return (value, wellFormed, wellFormed ? long.Parse(value, CultureInfo.InvariantCulture) : null);
        }
        if (roll < 25)
        {
            var n = pcg.Pick([0L, -1, 999_999, long.MaxValue, long.MinValue, Gen.Long[1, 100].Draw(pcg)]);
            return (FuzzValues.Number(n), true, n);
        }
        var pool = _world.Known.Where(k => k.Resource == resource && k.Uuid is null && !(delete && k.Arranged)).ToList();
        var candidates = roll < 45
            ? pool.Where(k => !tenant.Sees(k.Owner)).ToList()
            : pool.Where(k => tenant.Sees(k.Owner) && (listenerId is null || k.ListenerId == listenerId)).ToList();
        if (children is not null && candidates.Where(l => _world.Known.Any(k => k.Resource == children && k.ListenerId == l.Id)).ToList() is { Count: > 0 } parents)
        {
            candidates = parents;
        }
        var id = candidates.Count > 0 ? pcg.Pick(candidates).Id : pool.Count > 0 ? pcg.Pick(pool).Id : 1;
        return (FuzzValues.Number(id), true, id);
    }

    private (string Value, bool WellFormed) Uuid(long? listenerId, Tenant tenant, PCG pcg)
    {
        var events = _world.Known.Where(k => k.Uuid is not null).ToList();
        var own = events.Where(k => k.ListenerId == listenerId && tenant.Sees(k.Owner)).ToList();
        return (_good ? 0 : pcg.Next(10)) switch
        {
            < 6 when own.Count > 0 => (pcg.Pick(own).Uuid!, true),
            < 7 => (pcg.Pick(events).Uuid!, true),
            < 8 => (Gen.Guid.Draw(pcg).ToString(), true),
            < 9 => (Uri.EscapeDataString(FuzzValues.Text.Draw(pcg)) is { Length: > 0 } text ? text : "x", true),
            _ => Hostile(pcg) with { WellFormed = false },
        };
    }

    /// <summary>The declared query parameters, each now and then, with valid or hostile values; sometimes undeclared ones or a query too long.</summary>
    private string Query(ApiOperation operation, PCG pcg)
    {
        var pairs = new List<string>();
        foreach (var parameter in operation.InQuery)
        {
            if (!pcg.Chance(0.4))
            {
                continue;
            }
            var value = _good || pcg.Chance(0.7) ? Uri.EscapeDataString(QueryValue(parameter, pcg)) : pcg.Pick(FuzzValues.HostileQuery);
            pairs.Add($"{Uri.EscapeDataString(parameter.Name)}={value}");
            if (pcg.Chance(0.05))
            {
                pairs.Add($"{Uri.EscapeDataString(parameter.Name)}={value}");
            }
        }
        if (!_good && pcg.Chance(0.1))
        {
            var name = pcg.Pick(["filters[unknown]", "filters[]", "filters[name", "filters", "sort", "filters[id]", "FILTERS[name]", "filters%5Bname%5D", "filters[[name]]", "", "=", "&&"]);
            pairs.Add(name.Length == 0 || name.Contains('=') || name.Contains('&') ? name : $"{name}={Uri.EscapeDataString(FuzzValues.Text.Draw(pcg))}");
        }
        if (!_good && pcg.Chance(0.015))
        {
            pairs.Add("q=" + new string('q', pcg.Pick([4_000, 9_000, 40_000])));
        }
        return pairs.Count == 0 ? (!_good && pcg.Chance(0.02) ? "?" : "") : "?" + string.Join('&', pairs);
    }

    private string QueryValue(ApiParameter parameter, PCG pcg)
    {
        var schema = parameter.Schema;
        if (schema.TryGetProperty("enum", out var values))
        {
            return pcg.Pick([.. values.EnumerateArray()]).GetString()!;
        }
        return parameter.Name switch
        {
            "limit" => FuzzValues.Number(Gen.Long[1, 500].Draw(pcg)),
            "offset" => FuzzValues.Number(pcg.Pick([0L, 1, 2, 25, 1000, int.MaxValue])),
            "filters[callback_id]" or "filters[fallback_callback_id]" => FuzzValues.Number(KnownId("callbacks", pcg)),
            "filters[profile_id]" => FuzzValues.Number(KnownId("profiles", pcg)),
            "filters[mode]" => Either(pcg, ["HTTPS", "HTTP", "EMAIL", "APPLICATION"], ["https", FuzzValues.Text.Draw(pcg)]),
            "filters[name]" => Either(pcg, ["Ops", "Receiver", "Mailbox", "Office"], [FuzzValues.Text.Draw(pcg)]),
            "filters[data_type]" => Either(pcg, ["recording", "call", "api-error"], [FuzzValues.Text.Draw(pcg)]),
            _ => schema.GetProperty("type").GetString() switch
            {
                "boolean" => Either(pcg, ["true", "false"], ["True", "1"]),
                "integer" => FuzzValues.Number(FuzzValues.Integer.Draw(pcg)),
                _ => FuzzValues.Text.Draw(pcg),
            },
        };
    }

    /// <summary>One of <paramref name="valid"/> in a well-behaved request; else one of either.</summary>
    private T Either<T>(PCG pcg, T[] valid, T[] hostile) => _good || pcg.Chance(0.5) ? pcg.Pick(valid) : pcg.Pick(hostile);

    private long KnownId(string resource, PCG pcg)
    {
        var pool = _world.Known.Where(k => k.Resource == resource).ToList();
        var own = pool.Where(k => _tenant.Sees(k.Owner)).ToList();
        return (_good ? 0 : pcg.Next(10)) switch
        {
            < 7 when own.Count > 0 => pcg.Pick(own).Id,
            < 9 when pool.Count > 0 => pcg.Pick(pool).Id,
            _ => FuzzValues.Integer.Draw(pcg),
        };
    }

    /// <summary>
    /// Values for the fields whose schema says too little: "any JSON", an id, a string with rules of its own.
    /// Each hint gives a valid value in a well-behaved request, else a valid or a hostile one.
    /// </summary>
    private Dictionary<string, Func<PCG, JsonNode?>> Hints()
    {
        static JsonNode? Json(string text) => JsonNode.Parse(text);
        JsonNode? Text(PCG pcg, string[] valid, string[] hostile) => JsonValue.Create(Either(pcg, valid, [.. hostile, FuzzValues.Text.Draw(pcg)]));
        JsonNode? Number(PCG pcg, long[] valid, long[] hostile) => JsonValue.Create(Either(pcg, valid, hostile));
        JsonNode? Of(PCG pcg, string[] valid, string[] hostile) => Json(Either(pcg, valid, hostile));
        var receiver = _world.Receiver.Url;
        // A callback config of one kind: 0-3 HTTP to the receiver, 4 e-mail, 5 an application, then ones the hub refuses.
        JsonNode? Config(uint kind, PCG pcg)
        {
            if (_good)
            {
                _mode ??= kind < 4 ? "HTTP" : kind == 4 ? "EMAIL" : "APPLICATION";
            }
            return kind switch
            {
                < 2 => Json($$"""{"url": "{{receiver}}"}"""),
                < 4 => new JsonObject
                {
                    ["url"] = receiver + Either(pcg, ["", "hook?x=1", "a/b"], ["%20", "#frag"]),
                    ["method"] = Either(pcg, ["POST", "GET", "PUT", "PATCH", "DELETE"], ["TRACE", "post", "CONNECT"]),
                    ["headers"] = Of(pcg, ["null", "[]", """[{"name": "X-A", "value": "1"}]""", """[{"name": "Authorization", "value": "Bearer s"}]"""],
                        ["""[{"name": "", "value": ""}]""", """[{"name": "Bad Name:", "value": "a\r\nb"}]""", """[{"name": "Host", "value": "evil"}]""", """[{"value": "x"}]"""]),
                    ["timeout"] = Of(pcg, ["null", "1", "5", "30"], ["0", "31", "\"5\"", "1.5"]),
                    ["rate-limit"] = Of(pcg, ["null", """{"number": 10, "period": 60}"""], ["""{"number": 0, "period": 1}""", """{"number": 1}"""]),
                    ["secret"] = Of(pcg, ["null", "\"whsec_c2VjcmV0\""], ["\"\"", "1"]),
                },
                4 => new JsonObject
                {
                    ["email"] = Either(pcg, ["ops@example.org"], ["not-an-address", "a@b", "ops@example.org, x@example.org", FuzzValues.Text.Draw(pcg)]),
                    ["mode"] = Either(pcg, ["json", "text"], ["xml", ""]),
                    ["rate-limit"] = Of(pcg, ["null", """{"number": 1, "period": 60}"""], ["""{"number": -1, "period": 60}"""]),
                },
                5 => Json(pcg.Pick([
                    """{"application": "sms-autoresponder", "parameters": {"message": "hi", "rate-limit": 600}}""",
                    """{"application": "google-analytics", "parameters": {"tracking_id": "G-ABC123", "api_secret": "s", "dynamic": {"el": "direction"}}}"""])),
                6 => Json(pcg.Pick([
                    """{"url": "http://127.0.0.1:1/"}""", """{"url": "https://127.0.0.1:1/"}""", """{"url": "ftp://127.0.0.1/"}""", """{"url": "/relative"}""",
                    """{"url": "http://[::1]:1/"}""", """{"url": ""}""", """{"url": "javascript:alert(1)"}""", """{"url": "http://user:pass@127.0.0.1:1/"}"""])),
                7 => Json(pcg.Pick([
                    """{"application": "unknown", "parameters": {}}""", """{"application": "sms-autoresponder"}""",
                    """{"application": "google-analytics", "parameters": {"tracking_id": 1}}"""])),
                8 => Json(pcg.Pick(["""{"url": "http://127.0.0.1:1/", "email": "a@example.org"}""", "{}", """{"email": "a@example.org", "application": "google-analytics"}"""])),
                _ => FuzzValues.Json(2).Draw(pcg),
            };
        }

        return new()
        {
            ["config"] = pcg => Config(_good ? _mode switch { "HTTP" => pcg.Next(4), "EMAIL" => 4, "APPLICATION" => 5, _ => pcg.Next(6) } : pcg.Next(12), pcg),
            ["callback_id"] = pcg => JsonValue.Create(KnownId("callbacks", pcg)),
            ["fallback_callback_id"] = pcg => pcg.Chance(0.3) ? null : JsonValue.Create(KnownId("callbacks", pcg)),
            ["profile_id"] = pcg => pcg.Chance(0.3) ? null : JsonValue.Create(KnownId("profiles", pcg)),
            ["name"] = pcg => Text(pcg, ["Ops", "Receiver", "Office", "Bureau de Zürich 😀"], [""]),
            ["support_email"] = pcg => pcg.Chance(0.2) ? null : Text(pcg, ["ops@example.org", "a@b.co"], ["x", "a@", "@b", "a b@c.d"]),
            // The receiver is plain http: HTTPS would be refused for its URL.
            ["mode"] = pcg => _good ? JsonValue.Create(_mode ??= pcg.Pick(["HTTP", "EMAIL", "APPLICATION"])) : Text(pcg, ["HTTPS", "HTTP", "EMAIL", "APPLICATION"], ["https", ""]),
            ["version"] = pcg => Text(pcg, ["2.0.0"], ["1.0.0", "2.0", ""]),
            ["expires_at"] = pcg => pcg.Chance(0.3) ? null : Number(pcg, [_now + 86_400, _now + (365L * 86_400)], [_now - 60, 0, -1, long.MaxValue]),
            // tags.md: api-error tags only at account level.
            [":tags"] = pcg => new JsonArray([.. Gen.Int[0, Tags.Length - (_good && _tenant.ExtensionId is not null ? 3 : 1)].Array[!_good && pcg.Chance(0.05) ? 0 : 1, 3].Draw(pcg)
                .Select(i => (JsonNode?)JsonValue.Create(!_good && pcg.Chance(0.05) ? FuzzValues.Text.Draw(pcg) : Tags[i]))]),
            ["filter_type"] = pcg => JsonValue.Create(_filterType = Either(pcg, ["number", "schedule"], ["NUMBER", "time"])),
            ["filter_value"] = pcg => (_good ? (_filterType == "schedule" ? 3 : pcg.Next(3)) : pcg.Next(8)) switch
            {
                0 => Json("""{"eq": "+15551234567"}"""),
                1 => Json("""{"in": ["+15551234567", "+442071234567"]}"""),
                2 => Json("""{"match": "+1%"}"""),
                3 or 4 => new JsonObject { ["id"] = KnownId("schedules", pcg) },
                5 or 6 => Json(pcg.Pick(["""{"eq": "abc"}""", """{"eq": "+1", "match": "%"}""", """{"in": []}""", """{"match": "1_%"}""", "{}", """{"id": "7"}"""])),
                _ => FuzzValues.Json(2).Draw(pcg),
            },
            ["time_zone"] = pcg => Text(pcg, ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"], ["Mars/Olympus", "", "+01:00", "utc"]),
            ["days"] = pcg => Of(pcg, ["""["mon", "tue"]""", """["sun"]""", """["mon", "tue", "wed", "thu", "fri", "sat", "sun"]"""], ["[]", """["xyz"]""", """["mon", "mon"]""", """["Monday"]"""]),
            ["from"] = pcg => Text(pcg, ["09:00", "00:00", "12:30"], ["24:00", "25:00", "9", "09:00:00"]),
            ["to"] = pcg => Text(pcg, ["17:30", "24:00", "23:59"], ["00:00", "08:00", "99:99"]),
            ["date"] = pcg => Text(pcg, ["2026-05-01", "2026-12-25", "2028-02-29"], ["2026-02-30", "26-5-1", "9999-12-31", "0001-01-01"]),
            ["since"] = pcg => Number(pcg, [_now - 3600, _now - (6 * 86_400)], [_now - (10 * 86_400), _now + 3600, 0, -1, long.MaxValue]),
            ["until"] = pcg => pcg.Chance(0.4) ? null : Number(pcg, [_now, _now + 60], [_now - 7200, long.MinValue]),
            ["status"] = pcg => Text(pcg, ["failed", "suppressed", "delivered"], ["pending", "FAILED"]),
            ["voip_id"] = pcg => Number(pcg, [FuzzWorld.Account.VoipId, FuzzWorld.OtherAccount.VoipId], [0, -1, long.MaxValue, FuzzValues.Integer.Draw(pcg)]),
            ["data_type"] = pcg => JsonValue.Create(_dataType = Either(pcg, [.. _activities.Keys], ["call", "api-error", FuzzValues.Text.Draw(pcg)])),
            ["data"] = pcg => _dataType is { } type && _activities.TryGetValue(type, out var data) && (_good || pcg.Chance(0.7)) ? data.DeepClone() : FuzzValues.Json(2).Draw(pcg),
            ["extension_ids"] = pcg => Of(pcg, ["[7777777]", "[7777777, 7777778]", "[]", "null"], ["[-1]", "[7777777, 7777777]", "[0]"]),
            ["data_object_uuid"] = pcg => JsonValue.Create(_good || pcg.Chance(0.7) ? Gen.Guid.Draw(pcg).ToString() : FuzzValues.Text.Draw(pcg)),
            ["timestamp_ns"] = pcg => Number(pcg, [_now * 1_000_000_000], [0, -1, long.MaxValue]),
            ["idempotency_key"] = pcg => JsonValue.Create(pcg.Chance(0.3) ? "fuzz-1" : Either(pcg, [Gen.String.AlphaNumeric.Draw(pcg) + Gen.Int.Draw(pcg)], [FuzzValues.Text.Draw(pcg)])),
        };
    }
}
