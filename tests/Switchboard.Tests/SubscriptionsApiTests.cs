using System.Net;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

public class SubscriptionsApiTests
{
    private static async Task<string> ListenerUrlAsync(HttpClient client, string @base = AccountBase)
    {
        var callback = await CreateAsync(client, $"{@base}/callbacks", """{"config": {"email": "ops@example.org"}}""");
        var listener = await CreateAsync(client, $"{@base}/listeners", $$"""{"callback_id": {{callback}}}""");
        return $"{@base}/listeners/{listener}/subscriptions";
    }

    [Fact]
    public async Task Subscriptions_are_created_with_duplicates_removed_read_listed_and_deleted()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = await ListenerUrlAsync(client);

        var created = await ExpectAsync(await client.PostAsync(url, Json("""{":tags": ["call", "inbound", "call"]}""")), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal(["call", "inbound"], created.GetProperty(":tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["id", ":tags"], created.EnumerateObject().Select(p => p.Name));
        await CreateAsync(client, url, """{":tags": ["message", "outbound"]}""");

        Assert.Equal(created.GetRawText(), (await ExpectAsync(await client.GetAsync($"{url}/{id}"), HttpStatusCode.OK)).GetRawText());
        var list = await BodyAsync(await client.GetAsync(url));
        Assert.Equal(2, list.GetProperty("total").GetInt64());
        Assert.Equal("message", list.GetProperty("items")[0].GetProperty(":tags")[0].GetString());

        await ExpectAsync(await client.DeleteAsync($"{url}/{id}"), HttpStatusCode.OK);
        await ErrorAsync(await client.GetAsync($"{url}/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_tag_is_rejected_with_422_naming_it()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = await ListenerUrlAsync(client);

        var response = await client.PostAsync(url, Json("""{":tags": ["call", "ringing"]}"""));

        Assert.Equal("\"ringing\" is not a known tag", await FieldErrorAsync(response, ":tags[1]"));
    }

    [Fact]
    public async Task Api_error_tags_are_only_for_account_level_listeners()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        var extensionUrl = await ListenerUrlAsync(account, ExtensionBase);
        var accountUrl = await ListenerUrlAsync(account);

        Assert.Equal("api-error may only be subscribed by account-level listeners",
            await FieldErrorAsync(await account.PostAsync(extensionUrl, Json("""{":tags": ["api-error"]}""")), ":tags[0]"));
        Assert.Equal("api-error-trusted may only be subscribed by account-level listeners",
            await FieldErrorAsync(await account.PostAsync(extensionUrl, Json("""{":tags": ["call", "api-error-trusted"]}""")), ":tags[1]"));
        await CreateAsync(account, accountUrl, """{":tags": ["api-error", "api-error-trusted"]}""");
    }

    [Theory]
    [InlineData("""{":tags": []}""", ":tags", "must not be empty")]
    [InlineData("""{":tags": "call"}""", ":tags", "must be an array")]
    [InlineData("""{":tags": null}""", ":tags", "must be an array")]
    [InlineData("""{}""", ":tags", "is required")]
    [InlineData("""{":tags": [1]}""", ":tags[0]", "must be a string")]
    [InlineData("""{":tags": ["Call"]}""", ":tags[0]", "\"Call\" is not a known tag")]
    [InlineData("""{"tags": ["call"]}""", "tags", "is not a known field")]
    public async Task Bad_subscription_bodies_are_422_naming_the_field(string body, string field, string message)
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = await ListenerUrlAsync(client);

        Assert.Equal(message, await FieldErrorAsync(await client.PostAsync(url, Json(body)), field));
    }

    [Fact]
    public async Task Subscriptions_have_no_update()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = await ListenerUrlAsync(client);
        var id = await CreateAsync(client, url, """{":tags": ["call"]}""");

        await ErrorAsync(await client.PatchAsync($"{url}/{id}", Json("""{":tags": ["message"]}""")), HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task A_subscription_is_only_reachable_through_its_own_listener()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var first = await ListenerUrlAsync(client);
        var second = await ListenerUrlAsync(client);
        var id = await CreateAsync(client, first, """{":tags": ["call"]}""");

        await ErrorAsync(await client.GetAsync($"{second}/{id}"), HttpStatusCode.NotFound);
        await ErrorAsync(await client.DeleteAsync($"{second}/{id}"), HttpStatusCode.NotFound);
        await ErrorAsync(await client.PostAsync($"{AccountBase}/listeners/987654/subscriptions", Json("""{":tags": ["call"]}""")), HttpStatusCode.NotFound);
        await ExpectAsync(await client.GetAsync($"{first}/{id}"), HttpStatusCode.OK);
    }
}
