using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Storage;

namespace Switchboard.Tests;

/// <summary>Where a resource belongs, or which base a request goes to: an account, or one extension of it.</summary>
internal sealed record Tenant(long VoipId, long? ExtensionId)
{
    /// <summary>api.md: a resource is visible from its own extension's base and from its account's base.</summary>
    public bool Sees(Tenant owner) => owner.VoipId == VoipId && (ExtensionId is null || owner.ExtensionId == ExtensionId);

    public string Base => ExtensionId is { } e
        ? $"/v4/accounts/{VoipId}/extensions/{e}/integrations/events"
        : $"/v4/accounts/{VoipId}/integrations/events";

    public override string ToString() => ExtensionId is { } e ? $"{VoipId}/{e}" : $"{VoipId}";
}

/// <summary>
/// A resource the fuzz run knows of: its kind (the path word), id, owner and, below a listener, the listener.
/// <see cref="Arranged"/> ones were made before the run; requests do not pick them to delete, so that every
/// base keeps resources to name.
/// </summary>
internal sealed record Known(string Resource, long Id, Tenant Owner, long? ListenerId = null, string? Uuid = null, bool Arranged = false);

/// <summary>A bearer token of the run, named for the failure report.</summary>
internal sealed record FuzzToken(string Name, string? Header);

/// <summary>
/// The hub a fuzz run talks to, its tenants and tokens, and the resources it knows of: each tenant gets a
/// profile, callbacks, a listener with a subscription and a filter, and events from an ingested recording,
/// so that requests can name real ids of their own base, ids of other tenants, and ids of nothing.
/// </summary>
internal sealed class FuzzWorld : IAsyncDisposable
{
    public static readonly Tenant Account = new(1000002, null);
    public static readonly Tenant Extension = new(1000002, 7777777);
    public static readonly Tenant OtherExtension = new(1000002, 7777778);
    public static readonly Tenant OtherAccount = new(2000003, null);

    /// <summary>Another account's extension with the same extension id as <see cref="Extension"/>.</summary>
    public static readonly Tenant OtherAccountsExtension = new(2000003, 7777777);

    public static readonly Tenant[] Tenants = [Account, Extension, OtherExtension, OtherAccount, OtherAccountsExtension];

    private FuzzWorld(TestHub hub, Receiver receiver, HttpClient http, JsonDocument document)
    {
        Hub = hub;
        Receiver = receiver;
        Http = http;
        Document = document;
    }

    public TestHub Hub { get; }

    public Receiver Receiver { get; }

    /// <summary>A client without a token of its own: each request carries the one the run chose.</summary>
    public HttpClient Http { get; }

    public JsonDocument Document { get; }

    public FuzzToken Operator { get; private set; } = null!;

    /// <summary>The token of each tenant (an account or an extension token).</summary>
    public Dictionary<Tenant, FuzzToken> Tokens { get; } = [];

    public List<Known> Known { get; } = [];

    public static async Task<FuzzWorld> StartAsync()
    {
        var hub = await TestHub.StartAsync();
        var receiver = await Receiver.StartAsync();
        var http = ObservedStatuses.Client(hub.Url);
        http.Timeout = TimeSpan.FromSeconds(30);
        var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var world = new FuzzWorld(hub, receiver, http, document);
        await world.ArrangeAsync();
        return world;
    }

    /// <summary>The tokens whose scope allows <paramref name="tenant"/>'s base.</summary>
    public IEnumerable<FuzzToken> Allowed(Tenant tenant) =>
        Tokens.Where(t => t.Key.ExtensionId is null ? t.Key.VoipId == tenant.VoipId : t.Key == tenant).Select(t => t.Value).Append(Operator);

    /// <summary>Learns the resources a successful create made, and forgets a deleted one.</summary>
    public void Learn(FuzzRequest request, string body)
    {
        var resource = request.Operation.Resource;
        if (request.Method == "DELETE" && request.Id is { } id)
        {
            Known.RemoveAll(k => k.Resource == resource && k.Id == id);
        }
        if (request.Method != "POST" || request.Tenant is not { } tenant || resource is "events" or "ingest")
        {
            return;
        }
        using var json = JsonDocument.Parse(body);
        var created = json.RootElement;
        if (resource != "overview")
        {
            Learn(resource, created, tenant, request.ListenerId);
            return;
        }
        var listener = Learn("listeners", created, tenant, null);
        var callback = created.GetProperty(":callback");
        Learn("callbacks", callback, tenant, null);
        if (callback.GetProperty(":profile") is { ValueKind: JsonValueKind.Object } profile)
        {
            Learn("profiles", profile, tenant, null);
        }
        foreach (var subscription in created.GetProperty(":subscriptions").EnumerateArray())
        {
            Learn("subscriptions", subscription, listener.Owner, listener.Id);
        }
        foreach (var filter in created.GetProperty(":filters").EnumerateArray())
        {
            Learn("filters", filter, listener.Owner, listener.Id);
        }
    }

    private Known Learn(string resource, JsonElement item, Tenant tenant, long? listenerId)
    {
        var owner = item.TryGetProperty("voip_id", out var voipId)
            ? new Tenant(voipId.GetInt64(), item.TryGetProperty("extension_id", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt64() : null)
            : tenant;
        var known = new Known(resource, item.GetProperty("id").GetInt64(), owner, listenerId);
        Known.Add(known);
        return known;
    }

    private async Task ArrangeAsync()
    {
        var store = Hub.Services.GetRequiredService<TokenStore>();
        Operator = new FuzzToken("operator", (await store.CreateAsync(TokenScope.Operator, null, null, CancellationToken.None)).Token);
        foreach (var tenant in Tenants)
        {
            var scope = tenant.ExtensionId is null ? TokenScope.Account : TokenScope.Extension;
            var (_, token) = await store.CreateAsync(scope, tenant.VoipId, tenant.ExtensionId, CancellationToken.None);
            Tokens[tenant] = new FuzzToken($"{scope.ToString().ToLowerInvariant()} {tenant}", token);
        }

        var listeners = new List<Known>();
        foreach (var tenant in Tenants)
        {
            var profile = await CreateAsync(tenant, "profiles", """{"name": "Ops", "support_email": "ops@example.org"}""");
            var http = await CreateAsync(tenant, "callbacks", $$$"""
                {"name": "Receiver", "profile_id": {{{profile.Id}}}, "config": {"url": "{{{Receiver.Url}}}", "headers": [{"name": "Authorization", "value": "Bearer x"}], "timeout": 5}}
                """);
            await CreateAsync(tenant, "callbacks", $$$"""{"name": "Mailbox", "fallback_callback_id": {{{http.Id}}}, "config": {"email": "ops@example.org"}}""");
            var listener = await CreateAsync(tenant, "listeners", $$"""{"callback_id": {{http.Id}}}""");
            listeners.Add(listener);
            await CreateAsync(tenant, $"listeners/{listener.Id}/subscriptions", """{":tags": ["recording"]}""");
            await CreateAsync(tenant, $"listeners/{listener.Id}/filters", """{"filter_type": "number", "filter_value": {"match": "%"}, "not_logic": true}""");
            if (tenant.ExtensionId is null)
            {
                var schedule = await SendAsync(HttpMethod.Post, $"/v4/accounts/{tenant.VoipId}/schedules", Operator,
                    """{"name": "Office", "time_zone": "Europe/Paris", "rules": [{"days": ["mon", "fri"], "from": "09:00", "to": "17:30"}]}""", HttpStatusCode.Created);
                Known.Add(new Known("schedules", schedule.GetProperty("id").GetInt64(), tenant, Arranged: true));
            }
        }

        foreach (var voipId in Tenants.Select(t => t.VoipId).Distinct())
        {
            var extensions = string.Join(", ", Tenants.Where(t => t.VoipId == voipId && t.ExtensionId is not null).Select(t => t.ExtensionId));
            await SendAsync(HttpMethod.Post, "/v4/ingest", Operator, $$$"""
                {"voip_id": {{{voipId}}}, "data_type": "recording", "extension_ids": [{{{extensions}}}],
                 "data": {"uuid": "11111111-1111-1111-1111-111111111111", "type": "call", "size": 1222841, "duration": 40}}
                """, HttpStatusCode.Accepted);
        }
        foreach (var listener in listeners)
        {
            await HarvestEventsAsync(listener);
        }
    }

    /// <summary>Waits for the listener's event of the ingested recording and learns its uuid.</summary>
    private async Task HarvestEventsAsync(Known listener)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var page = await SendAsync(HttpMethod.Get, $"{listener.Owner.Base}/listeners/{listener.Id}/events", Operator, null, HttpStatusCode.OK);
            var uuids = page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("uuid").GetString()!).ToList();
            if (uuids.Count > 0)
            {
                Known.AddRange(uuids.Select(u => new Known("events", 0, listener.Owner, listener.Id, u, Arranged: true)));
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"No event for listener {listener.Id} of {listener.Owner}");
            await Task.Delay(50);
        }
    }

    private async Task<Known> CreateAsync(Tenant tenant, string collection, string json)
    {
        var body = await SendAsync(HttpMethod.Post, $"{tenant.Base}/{collection}", Operator, json, HttpStatusCode.Created);
        var parts = collection.Split('/');
        var known = new Known(parts[^1], body.GetProperty("id").GetInt64(), tenant, parts.Length > 1 ? long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : null, Arranged: true);
        Known.Add(known);
        return known;
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, FuzzToken token, string? json, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Header);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Arranging the fuzz run: {method} {path} {json} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Document.Dispose();
        await Receiver.DisposeAsync();
        await Hub.DisposeAsync();
    }
}
