using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Switchboard.Storage;

namespace Switchboard.Tests;

public class ProfilesApiTests
{
    private const string AccountBase = "/v4/accounts/1000002/integrations/events";
    private const string ExtensionBase = "/v4/accounts/1000002/extensions/7777777/integrations/events";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> Body(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<JsonElement> Error(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        var error = (await Body(response)).GetProperty("@error");
        Assert.Equal((int)status, error.GetProperty("@httpStatusCode").GetInt32());
        return error;
    }

    [Fact]
    public async Task Profiles_are_created_read_listed_updated_and_deleted()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var created = await client.PostAsync($"{AccountBase}/profiles", Json("""{"name": "Ops", "support_email": "ops@example.org"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var profile = await Body(created);
        var id = profile.GetProperty("id").GetInt64();
        Assert.Equal(1000002, profile.GetProperty("voip_id").GetInt64());
        Assert.Equal(JsonValueKind.Null, profile.GetProperty("extension_id").ValueKind);
        Assert.True(profile.GetProperty("created_at").GetInt64() > 1_700_000_000);
        await client.PostAsync($"{AccountBase}/profiles", Json("""{"name": "Night", "support_email": null}"""));

        var got = await Body(await client.GetAsync($"{AccountBase}/profiles/{id}"));
        Assert.Equal("ops@example.org", got.GetProperty("support_email").GetString());

        var list = await Body(await client.GetAsync($"{AccountBase}/profiles?limit=1"));
        Assert.Equal(2, list.GetProperty("total").GetInt64());
        Assert.Equal(1, list.GetProperty("limit").GetInt32());
        Assert.Equal("Night", list.GetProperty("items")[0].GetProperty("name").GetString()); // id descending
        Assert.Equal("desc", list.GetProperty("sort").GetProperty("id").GetString());
        var filtered = await Body(await client.GetAsync($"{AccountBase}/profiles?filters[name]=Ops"));
        Assert.Equal(1, filtered.GetProperty("total").GetInt64());
        Assert.Equal("Ops", filtered.GetProperty("filters").GetProperty("name").GetString());

        var patched = await Body(await client.PatchAsync($"{AccountBase}/profiles/{id}", Json("""{"support_email": null}""")));
        Assert.Equal("Ops", patched.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("support_email").ValueKind);

        var deleted = await client.DeleteAsync($"{AccountBase}/profiles/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.True((await Body(deleted)).GetProperty("success").GetBoolean());
        await Error(await client.GetAsync($"{AccountBase}/profiles/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Extension_resources_show_at_both_levels_and_account_resources_only_at_account_level()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var extension = await hub.ClientAsync(TokenScope.Extension, 1000002, 7777777);

        var accountLevel = (await Body(await account.PostAsync($"{AccountBase}/profiles", Json("""{"name": "A"}""")))).GetProperty("id").GetInt64();
        var extensionLevel = await Body(await extension.PostAsync($"{ExtensionBase}/profiles", Json("""{"name": "E"}""")));

        Assert.Equal(7777777, extensionLevel.GetProperty("extension_id").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await account.GetAsync($"{AccountBase}/profiles/{extensionLevel.GetProperty("id")}")).StatusCode);
        await Error(await extension.GetAsync($"{ExtensionBase}/profiles/{accountLevel}"), HttpStatusCode.NotFound);
        Assert.Equal(2, (await Body(await account.GetAsync($"{AccountBase}/profiles"))).GetProperty("total").GetInt64());
        Assert.Equal(1, (await Body(await extension.GetAsync($"{ExtensionBase}/profiles"))).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Tokens_are_checked_401_403_and_other_tenants_resources_are_404()
    {
        await using var hub = await TestHub.StartAsync();
        using var owner = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var otherAccount = await hub.ClientAsync(TokenScope.Account, 2000003);
        using var otherExtension = await hub.ClientAsync(TokenScope.Extension, 1000002, 8888888);
        using var @operator = await hub.ClientAsync(TokenScope.Operator);
        var id = (await Body(await owner.PostAsync($"{ExtensionBase}/profiles", Json("""{"name": "E"}""")))).GetProperty("id").GetInt64();

        await Error(await hub.Http.GetAsync($"{AccountBase}/profiles/{id}"), HttpStatusCode.Unauthorized);
        using var bogus = new HttpClient { BaseAddress = new Uri(hub.Url) };
        bogus.DefaultRequestHeaders.Authorization = new("Bearer", "sb_not-a-token");
        await Error(await bogus.GetAsync($"{AccountBase}/profiles/{id}"), HttpStatusCode.Unauthorized);
        await Error(await otherAccount.GetAsync($"{AccountBase}/profiles/{id}"), HttpStatusCode.Forbidden);
        await Error(await otherExtension.GetAsync($"{ExtensionBase}/profiles/{id}"), HttpStatusCode.Forbidden);
        await Error(await otherExtension.GetAsync($"{AccountBase}/profiles"), HttpStatusCode.Forbidden);
        // Another account's base, with a token allowed there: the id does not exist for it.
        await Error(await @operator.GetAsync($"/v4/accounts/2000003/integrations/events/profiles/{id}"), HttpStatusCode.NotFound);
        await Error(await @operator.DeleteAsync($"/v4/accounts/2000003/integrations/events/profiles/{id}"), HttpStatusCode.NotFound);
        var list = await Body(await otherAccount.GetAsync("/v4/accounts/2000003/integrations/events/profiles"));
        Assert.Equal(0, list.GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await @operator.GetAsync($"{AccountBase}/profiles/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("""{}""", "name", "is required")]
    [InlineData("""{"name": null}""", "name", "must be a string")]
    [InlineData("""{"name": 5}""", "name", "must be a string")]
    [InlineData("""{"name": ["a"]}""", "name", "must be a string")]
    [InlineData("""{"name": "  "}""", "name", "must not be empty")]
    [InlineData("""{"name": "x", "support_email": "not-an-address"}""", "support_email", "must be an e-mail address or null")]
    [InlineData("""{"name": "x", "support_email": 7}""", "support_email", "must be a string or null")]
    [InlineData("""{"name": "x", "colour": "red"}""", "colour", "is not a known field")]
    public async Task Bad_fields_are_422_naming_each_field(string body, string field, string message)
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var error = await Error(await client.PostAsync($"{AccountBase}/profiles", Json(body)), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(message, error.GetProperty("@fields").GetProperty(field).GetString());
    }

    [Fact]
    public async Task Malformed_oversized_and_non_json_bodies_are_4xx_and_the_hub_stays_healthy()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = $"{AccountBase}/profiles";

        await Error(await client.PostAsync(url, Json("{\"name\": ")), HttpStatusCode.BadRequest);
        await Error(await client.PostAsync(url, Json("[1, 2]")), HttpStatusCode.BadRequest);
        await Error(await client.PostAsync(url, new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded")), HttpStatusCode.UnsupportedMediaType);
        await Error(await client.PostAsync(url, Json($"{{\"name\": \"{new string('x', 100_000)}\"}}")), HttpStatusCode.RequestEntityTooLarge);
        var huge = await Error(await client.PostAsync(url, Json($"{{\"name\": \"{new string('x', 2_000)}\"}}")), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("must be at most 255 characters", huge.GetProperty("@fields").GetProperty("name").GetString());
        await Error(await client.GetAsync($"{url}?limit=0"), HttpStatusCode.UnprocessableEntity);
        await Error(await client.GetAsync($"{url}?limit=501"), HttpStatusCode.UnprocessableEntity);
        await Error(await client.GetAsync($"{url}?offset=-1"), HttpStatusCode.UnprocessableEntity);
        await Error(await client.GetAsync($"{url}?filters[colour]=red"), HttpStatusCode.UnprocessableEntity);
        await Error(await client.GetAsync($"{url}/99999999999999999999999"), HttpStatusCode.NotFound);
        await Error(await client.PatchAsync($"{url}/abc", Json("{}")), HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.OK, (await hub.Http.GetAsync("/healthz")).StatusCode);
    }
}
