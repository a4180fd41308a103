using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>One route of the API with a body that would succeed for its owner.</summary>
public sealed record Route(string Method, string Path, string? Body)
{
    public HttpRequestMessage Request(string path, string? token)
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), path);
        if (Body is not null)
        {
            request.Content = Json(Body);
        }
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", token);
        }
        return request;
    }

    public override string ToString() => $"{Method} {Path}";
}

/// <summary>
/// Account 1000002 with resources at account level and at extension 7777777, and tokens of
/// every scope around it.
/// </summary>
public sealed class TenancyFixture : IAsyncLifetime
{
    public const string OwnerAccount = "/v4/accounts/1000002";
    public const string OtherAccount = "/v4/accounts/2000003";

    internal TestHub Hub { get; private set; } = null!;

    internal Dictionary<string, string> Tokens { get; } = [];

    /// <summary>Routes at the account base over account-level ids, and at the extension base over extension-level ids.</summary>
    public List<Route> AccountRoutes { get; } = [];

    public List<Route> ExtensionRoutes { get; } = [];

    public List<Route> ScheduleRoutes { get; } = [];

    /// <summary>GET paths (relative to a base) of every owned resource, with what the owner saw at the start.</summary>
    public Dictionary<string, string> Snapshot { get; } = [];

    public async Task InitializeAsync()
    {
        Hub = await TestHub.StartAsync();
        var store = Hub.Services.GetRequiredService<TokenStore>();
        async Task<string> Token(TokenScope scope, long? voip = null, long? extension = null) =>
            "Bearer " + (await store.CreateAsync(scope, voip, extension, CancellationToken.None)).Token;
        Tokens["owner"] = await Token(TokenScope.Account, 1000002);
        Tokens["extension"] = await Token(TokenScope.Extension, 1000002, 7777777);
        Tokens["other-extension"] = await Token(TokenScope.Extension, 1000002, 8888888);
        Tokens["other-account"] = await Token(TokenScope.Account, 2000003);
        Tokens["operator"] = await Token(TokenScope.Operator);
        var (revokedInfo, revoked) = await store.CreateAsync(TokenScope.Account, 1000002, null, CancellationToken.None);
        await store.RevokeAsync(revokedInfo.Id, CancellationToken.None);
        Tokens["revoked"] = "Bearer " + revoked;

        using var owner = new HttpClient { BaseAddress = new Uri(Hub.Url) };
        owner.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", Tokens["owner"]);
        AccountRoutes.AddRange(await CreateSetAsync(owner, AccountBase));
        ExtensionRoutes.AddRange(await CreateSetAsync(owner, ExtensionBase));
        var schedule = await CreateAsync(owner, $"{OwnerAccount}/schedules", """{"name": "S", "time_zone": "UTC", "rules": []}""");
        ScheduleRoutes.AddRange(
        [
            new("GET", $"{OwnerAccount}/schedules", null),
            new("POST", $"{OwnerAccount}/schedules", """{"name": "S2", "time_zone": "UTC", "rules": []}"""),
            new("GET", $"{OwnerAccount}/schedules/{schedule}", null),
            new("PATCH", $"{OwnerAccount}/schedules/{schedule}", """{"name": "taken"}"""),
            new("DELETE", $"{OwnerAccount}/schedules/{schedule}", null),
        ]);
        foreach (var route in AllRoutes.Where(r => r.Method == "GET"))
        {
            Snapshot[route.Path] = (await BodyAsync(await owner.GetAsync(route.Path))).GetRawText();
        }
    }

    public IEnumerable<Route> AllRoutes => AccountRoutes.Concat(ExtensionRoutes).Concat(ScheduleRoutes);

    /// <summary>Creates one of each resource under <paramref name="base"/> and returns every route over them.</summary>
    private static async Task<List<Route>> CreateSetAsync(HttpClient owner, string @base)
    {
        var profile = await CreateAsync(owner, $"{@base}/profiles", """{"name": "P"}""");
        var callback = await CreateAsync(owner, $"{@base}/callbacks", $$$"""{"profile_id": {{{profile}}}, "config": {"email": "a@example.org"}}""");
        var listener = await CreateAsync(owner, $"{@base}/listeners", $$"""{"callback_id": {{callback}}}""");
        var subscription = await CreateAsync(owner, $"{@base}/listeners/{listener}/subscriptions", """{":tags": ["call"]}""");
        var filter = await CreateAsync(owner, $"{@base}/listeners/{listener}/filters", """{"filter_type": "number", "filter_value": {"eq": "+15551234567"}}""");
        var l = $"{@base}/listeners/{listener}";
        return
        [
            new("GET", $"{@base}/profiles", null),
            new("POST", $"{@base}/profiles", """{"name": "P2"}"""),
            new("GET", $"{@base}/profiles/{profile}", null),
            new("PATCH", $"{@base}/profiles/{profile}", """{"name": "taken"}"""),
            new("DELETE", $"{@base}/profiles/{profile}", null),
            new("GET", $"{@base}/callbacks", null),
            new("POST", $"{@base}/callbacks", """{"config": {"email": "b@example.org"}}"""),
            new("GET", $"{@base}/callbacks/{callback}", null),
            new("PATCH", $"{@base}/callbacks/{callback}", """{"name": "taken", "profile_id": null}"""),
            new("DELETE", $"{@base}/callbacks/{callback}", null),
            new("GET", $"{@base}/listeners", null),
            new("POST", $"{@base}/listeners", $$"""{"callback_id": {{callback}}}"""),
            new("GET", l, null),
            new("PATCH", l, """{"version": "2.0.0", "expires_at": null}"""),
            new("DELETE", l, null),
            new("GET", $"{l}/subscriptions", null),
            new("POST", $"{l}/subscriptions", """{":tags": ["message"]}"""),
            new("GET", $"{l}/subscriptions/{subscription}", null),
            new("DELETE", $"{l}/subscriptions/{subscription}", null),
            new("GET", $"{l}/filters", null),
            new("POST", $"{l}/filters", """{"filter_type": "number", "filter_value": {"match": "+1%"}}"""),
            new("GET", $"{l}/filters/{filter}", null),
            new("PATCH", $"{l}/filters/{filter}", """{"not_logic": true}"""),
            new("DELETE", $"{l}/filters/{filter}", null),
            new("GET", $"{@base}/overview", null),
            new("POST", $"{@base}/overview", $$$"""{"callback_id": {{{callback}}}, ":subscriptions": [{":tags": ["call"]}]}"""),
        ];
    }

    public async Task DisposeAsync() => await Hub.DisposeAsync();
}

/// <summary>
/// api.md, Authentication and scope, for every route: 401 without a live token, 403 outside the
/// token's scope, 404 for another tenant's ids, and nothing of the owner's ever seen or changed.
/// </summary>
public class TenancyTests(TenancyFixture tenancy) : IClassFixture<TenancyFixture>
{
    private async Task<HttpResponseMessage> SendAsync(Route route, string path, string? token)
    {
        using var request = route.Request(path, token);
        return await tenancy.Hub.Http.SendAsync(request);
    }

    /// <summary>What the owner sees is what it saw before the other tenants tried.</summary>
    private async Task AssertOwnerDataUnchangedAsync()
    {
        foreach (var (path, before) in tenancy.Snapshot)
        {
            using var request = new Route("GET", path, null).Request(path, tenancy.Tokens["owner"]);
            var now = await ExpectAsync(await tenancy.Hub.Http.SendAsync(request), HttpStatusCode.OK);
            Assert.True(before == now.GetRawText(), $"{path} changed:\n{before}\n{now.GetRawText()}");
        }
    }

    [Fact]
    public async Task Every_route_answers_401_without_a_live_token()
    {
        foreach (var route in tenancy.AllRoutes)
        {
            foreach (var token in new[] { null, "Bearer", "Bearer sb_not-a-token", "Basic b3duZXI6cHc=", tenancy.Tokens["owner"].Replace("Bearer ", "Token ", StringComparison.Ordinal), tenancy.Tokens["revoked"] })
            {
                var response = await SendAsync(route, route.Path, token);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{route} with {token ?? "no token"}: {(int)response.StatusCode}");
                await ErrorAsync(response, HttpStatusCode.Unauthorized);
            }
        }
        await AssertOwnerDataUnchangedAsync();
    }

    [Fact]
    public async Task Every_route_answers_403_to_a_token_of_another_scope()
    {
        var outsiders = new Dictionary<string, string[]>
        {
            [AccountBase] = ["other-account", "extension", "other-extension"],
            [ExtensionBase] = ["other-account", "other-extension"],
            [TenancyFixture.OwnerAccount + "/schedules"] = ["other-account", "extension", "other-extension"],
        };
        foreach (var route in tenancy.AllRoutes)
        {
            foreach (var who in outsiders.First(o => route.Path.StartsWith(o.Key, StringComparison.Ordinal)).Value)
            {
                var response = await SendAsync(route, route.Path, tenancy.Tokens[who]);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route} as {who}: {(int)response.StatusCode}");
                await ErrorAsync(response, HttpStatusCode.Forbidden);
            }
        }
        await AssertOwnerDataUnchangedAsync();
    }

    [Fact]
    public async Task Another_tenants_ids_answer_404_exactly_as_absent_ids()
    {
        // Each route moved to a base its token may use but that does not own the ids.
        var moves = new List<(Route Route, string Path, string Token)>();
        foreach (var route in tenancy.AccountRoutes.Concat(tenancy.ExtensionRoutes).Concat(tenancy.ScheduleRoutes))
        {
            var otherAccount = route.Path.Replace(TenancyFixture.OwnerAccount, TenancyFixture.OtherAccount, StringComparison.Ordinal);
            moves.Add((route, otherAccount, tenancy.Tokens["operator"]));
            moves.Add((route, otherAccount, tenancy.Tokens["other-account"]));
        }
        foreach (var route in tenancy.ExtensionRoutes)
        {
            moves.Add((route, route.Path.Replace("/extensions/7777777/", "/extensions/8888888/", StringComparison.Ordinal), tenancy.Tokens["owner"]));
            moves.Add((route, route.Path.Replace("/extensions/7777777/", "/extensions/8888888/", StringComparison.Ordinal), tenancy.Tokens["other-extension"]));
        }
        foreach (var route in tenancy.AccountRoutes)
        {
            moves.Add((route, route.Path.Replace(AccountBase, ExtensionBase, StringComparison.Ordinal), tenancy.Tokens["extension"]));
        }

        foreach (var (route, path, token) in moves.Where(m => HasId(m.Path)))
        {
            var response = await SendAsync(route, path, token);
            var error = await ErrorAsync(response, HttpStatusCode.NotFound);
            // The same answer as for an id that never existed.
            var absentPath = WithAbsentId(path);
            var absent = await ErrorAsync(await SendAsync(route, absentPath, token), HttpStatusCode.NotFound);
            Assert.Equal(absent.GetProperty("@message").GetString(), error.GetProperty("@message").GetString());
        }
        await AssertOwnerDataUnchangedAsync();
    }

    [Fact]
    public async Task Lists_never_show_another_tenants_rows()
    {
        var ownIds = new HashSet<long>();
        foreach (var route in tenancy.AllRoutes.Where(r => r.Method == "GET" && !HasId(r.Path)))
        {
            foreach (var item in JsonDocument.Parse(tenancy.Snapshot[route.Path]).RootElement.GetProperty("items").EnumerateArray())
            {
                ownIds.Add(item.GetProperty("id").GetInt64());
            }
        }
        var lists = new[] { "profiles", "callbacks", "listeners", "overview" };
        foreach (var (@base, token) in new[] { (OtherAccountBase, "other-account"), (OtherAccountBase, "operator"), ("/v4/accounts/1000002/extensions/8888888/integrations/events", "other-extension"), ("/v4/accounts/2000003/schedules", "other-account") })
        {
            foreach (var list in @base.EndsWith("schedules", StringComparison.Ordinal) ? [""] : lists.Select(l => "/" + l))
            {
                using var request = new Route("GET", @base + list, null).Request(@base + list, tenancy.Tokens[token]);
                var page = await ExpectAsync(await tenancy.Hub.Http.SendAsync(request), HttpStatusCode.OK);
                Assert.Equal(0, page.GetProperty("total").GetInt64());
                Assert.Empty(page.GetProperty("items").EnumerateArray());
            }
        }
        // From the extension base, only the extension's own rows.
        foreach (var list in lists)
        {
            using var request = new Route("GET", $"{ExtensionBase}/{list}", null).Request($"{ExtensionBase}/{list}", tenancy.Tokens["extension"]);
            var page = await ExpectAsync(await tenancy.Hub.Http.SendAsync(request), HttpStatusCode.OK);
            Assert.All(page.GetProperty("items").EnumerateArray(), item => Assert.Equal(7777777, item.GetProperty("extension_id").GetInt64()));
        }
        Assert.NotEmpty(ownIds);
    }

    /// <summary>The path with its last resource id replaced by one that never existed.</summary>
    private static string WithAbsentId(string path)
    {
        var segments = path.Split('/');
        var last = Array.FindLastIndex(segments, s => s.Length > 0 && s.All(char.IsAsciiDigit));
        Assert.True(last > 0 && segments[last - 1] is not ("accounts" or "extensions"), path);
        segments[last] = "987654321";
        return string.Join('/', segments);
    }

    private static bool HasId(string path) => System.Text.RegularExpressions.Regex.IsMatch(path, @"/(profiles|callbacks|listeners|schedules)/\d+");
}
