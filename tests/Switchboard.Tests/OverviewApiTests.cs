using System.Net;
using System.Text.Json;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

public class OverviewApiTests
{
    private const string Url = $"{AccountBase}/overview";

    private static async Task<long> CountAsync(HttpClient client, string resource) =>
        (await BodyAsync(await client.GetAsync($"{AccountBase}/{resource}"))).GetProperty("total").GetInt64();

    [Fact]
    public async Task Express_create_makes_profile_callback_listener_subscriptions_and_filters_at_once()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var item = await ExpectAsync(await client.PostAsync(Url, Json($$$"""
            {":callback": {"name": "CRM", "config": {"url": "{{{receiver.Url}}}", "headers": [{"name": "Authorization", "value": "Bearer t"}]},
                           ":profile": {"name": "Ops", "support_email": "ops@example.org"}},
             ":subscriptions": [{":tags": ["call", "inbound"]}, {":tags": ["message"]}],
             ":filters": [{"filter_type": "number", "filter_value": {"match": "+1555%"}}]}
            """)), HttpStatusCode.Created);

        Assert.Single(receiver.Requests);
        Assert.Equal("2.0.0", item.GetProperty("version").GetString());
        var callback = item.GetProperty(":callback");
        Assert.Equal(item.GetProperty("callback_id").GetInt64(), callback.GetProperty("id").GetInt64());
        Assert.Equal("CRM", callback.GetProperty("name").GetString());
        Assert.True(callback.GetProperty("config").GetProperty("headers")[0].GetProperty("value").GetBoolean());
        Assert.Equal("Ops", callback.GetProperty(":profile").GetProperty("name").GetString());
        Assert.Equal(callback.GetProperty("profile_id").GetInt64(), callback.GetProperty(":profile").GetProperty("id").GetInt64());
        Assert.Equal(JsonValueKind.Null, callback.GetProperty(":fallback").ValueKind);
        Assert.Equal(2, item.GetProperty(":subscriptions").GetArrayLength());
        Assert.Equal("inbound", item.GetProperty(":subscriptions")[0].GetProperty(":tags")[1].GetString());
        Assert.Equal("+1555%", item.GetProperty(":filters")[0].GetProperty("filter_value").GetProperty("match").GetString());

        var list = await BodyAsync(await client.GetAsync(Url));
        Assert.Equal(1, list.GetProperty("total").GetInt64());
        Assert.Equal(item.GetRawText(), list.GetProperty("items")[0].GetRawText());
    }

    [Fact]
    public async Task Express_create_may_use_an_existing_callback_and_the_overview_shows_its_fallback()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var fallback = await CreateAsync(client, $"{AccountBase}/callbacks", """{"config": {"email": "b@example.org"}}""");
        var callback = await CreateAsync(client, $"{AccountBase}/callbacks", $$$"""{"fallback_callback_id": {{{fallback}}}, "config": {"email": "a@example.org"}}""");
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();

        var item = await ExpectAsync(await client.PostAsync(Url, Json($$$"""{"callback_id": {{{callback}}}, "expires_at": {{{expires}}}, ":subscriptions": [{":tags": ["recording"]}]}""")), HttpStatusCode.Created);

        Assert.Equal(expires, item.GetProperty("expires_at").GetInt64());
        Assert.Equal(fallback, item.GetProperty(":callback").GetProperty(":fallback").GetProperty("id").GetInt64());
        Assert.Equal(JsonValueKind.Null, item.GetProperty(":callback").GetProperty(":profile").ValueKind);
        Assert.Empty(item.GetProperty(":filters").EnumerateArray());
        Assert.Equal(2, await CountAsync(client, "callbacks"));
    }

    [Theory]
    [InlineData("""{":callback": {"config": {"email": "a@example.org"}}, ":subscriptions": [{":tags": ["call"]}], ":filters": [{"filter_type": "number", "filter_value": {"eq": "5551234"}}]}""", ":filters[0].filter_value.eq")]
    [InlineData("""{":callback": {"config": {"email": "a@example.org"}, ":profile": {"name": ""}}, ":subscriptions": [{":tags": ["call"]}]}""", ":callback.:profile.name")]
    [InlineData("""{":callback": {"config": {"email": "a@example.org"}}, ":subscriptions": [{":tags": ["call"]}, {":tags": ["nope"]}]}""", ":subscriptions[1].:tags[0]")]
    [InlineData("""{":callback": {"config": {"email": "a@example.org"}}, ":subscriptions": []}""", ":subscriptions")]
    [InlineData("""{":callback": {"config": {"email": "a@example.org"}}}""", ":subscriptions")]
    [InlineData("""{":callback": {"config": {"email": "nobody"}}, ":subscriptions": [{":tags": ["call"]}]}""", ":callback.config.email")]
    [InlineData("""{":callback": {"config": {"email": "a@example.org"}, "fallback_callback_id": 99999}, ":subscriptions": [{":tags": ["call"]}]}""", ":callback.fallback_callback_id")]
    [InlineData("""{":callback": {"config": {"email": "a@example.org"}}, ":subscriptions": [{":tags": ["call"]}], ":filters": [{"filter_type": "schedule", "filter_value": {"id": 99999}}]}""", ":filters[0].filter_value.id")]
    [InlineData("""{":callback": {"config": {"email": "a@example.org"}}, "callback_id": 1, ":subscriptions": [{":tags": ["call"]}]}""", ":callback")]
    [InlineData("""{":subscriptions": [{":tags": ["call"]}]}""", "callback_id")]
    [InlineData("""{"callback_id": 99999, ":subscriptions": [{":tags": ["call"]}]}""", "callback_id")]
    [InlineData("""{":callback": {"config": {"email": "a@example.org"}}, ":subscriptions": [{":tags": ["call"]}], "version": "3"}""", "version")]
    [InlineData("""{":callback": {"config": {"email": "a@example.org"}}, ":subscriptions": ["call"]}""", ":subscriptions[0]")]
    public async Task Any_error_in_an_express_create_creates_nothing(string body, string field)
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        await FieldErrorAsync(await client.PostAsync(Url, Json(body)), field);

        Assert.Equal(0, await CountAsync(client, "listeners"));
        Assert.Equal(0, await CountAsync(client, "callbacks"));
        Assert.Equal(0, await CountAsync(client, "profiles"));
    }

    [Fact]
    public async Task A_failed_verification_in_an_express_create_creates_nothing()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync(503);
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var error = await ErrorAsync(await client.PostAsync(Url, Json($$$"""
            {":callback": {"config": {"url": "{{{receiver.Url}}}"}, ":profile": {"name": "Ops"}}, ":subscriptions": [{":tags": ["call"]}]}
            """)), HttpStatusCode.UnprocessableEntity);

        Assert.Contains("503", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
        Assert.True(error.GetProperty("@fields").TryGetProperty(":callback.config.url", out _));
        Assert.Equal(0, await CountAsync(client, "callbacks"));
        Assert.Equal(0, await CountAsync(client, "profiles"));
        Assert.Equal(0, await CountAsync(client, "listeners"));
    }

    [Fact]
    public async Task The_overview_from_an_extension_shows_only_that_extension()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var extension = await hub.ClientAsync(TokenScope.Extension, 1000002, 7777777);
        const string Body = """{":callback": {"config": {"email": "a@example.org"}}, ":subscriptions": [{":tags": ["call"]}]}""";
        await ExpectAsync(await account.PostAsync(Url, Json(Body)), HttpStatusCode.Created);
        var own = await ExpectAsync(await extension.PostAsync($"{ExtensionBase}/overview", Json(Body)), HttpStatusCode.Created);

        Assert.Equal(7777777, own.GetProperty(":callback").GetProperty("extension_id").GetInt64());
        var seen = await BodyAsync(await extension.GetAsync($"{ExtensionBase}/overview"));
        Assert.Equal(own.GetProperty("id").GetInt64(), Assert.Single(seen.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Equal(2, (await BodyAsync(await account.GetAsync(Url))).GetProperty("total").GetInt64());
        Assert.Equal("api-error may only be subscribed by account-level listeners",
            await FieldErrorAsync(await extension.PostAsync($"{ExtensionBase}/overview", Json("""{":callback": {"config": {"email": "a@example.org"}}, ":subscriptions": [{":tags": ["api-error"]}]}""")), ":subscriptions[0].:tags[0]"));
    }
}
