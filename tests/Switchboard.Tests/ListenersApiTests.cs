using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

public class ListenersApiTests
{
    private const string Url = $"{AccountBase}/listeners";

    private static Task<long> EmailCallbackAsync(HttpClient client, string @base = AccountBase) =>
        CreateAsync(client, $"{@base}/callbacks", """{"config": {"email": "ops@example.org"}}""");

    [Fact]
    public async Task Listeners_are_created_with_version_2_read_listed_updated_and_deleted()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var callback = await EmailCallbackAsync(client);
        var other = await EmailCallbackAsync(client);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var created = await ExpectAsync(await client.PostAsync(Url, Json($$"""{"callback_id": {{callback}}}""")), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal("2.0.0", created.GetProperty("version").GetString());
        Assert.Equal(callback, created.GetProperty("callback_id").GetInt64());
        Assert.InRange(created.GetProperty("created_at").GetInt64(), before, before + 60);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("expires_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("extension_id").ValueKind);

        var expires = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
        var patched = await ExpectAsync(await client.PatchAsync($"{Url}/{id}", Json($$"""{"callback_id": {{other}}, "expires_at": {{expires}}}""")), HttpStatusCode.OK);
        Assert.Equal(other, patched.GetProperty("callback_id").GetInt64());
        Assert.Equal(expires, patched.GetProperty("expires_at").GetInt64());
        Assert.Equal(created.GetProperty("created_at").GetInt64(), patched.GetProperty("created_at").GetInt64());
        var got = await ExpectAsync(await client.GetAsync($"{Url}/{id}"), HttpStatusCode.OK);
        Assert.Equal(patched.GetRawText(), got.GetRawText());

        await CreateAsync(client, Url, $$"""{"callback_id": {{callback}}, "version": "2.0.0", "expires_at": null}""");
        var filtered = await BodyAsync(await client.GetAsync($"{Url}?filters[callback_id]={other}"));
        Assert.Equal(id, Assert.Single(filtered.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Equal(2, (await BodyAsync(await client.GetAsync(Url))).GetProperty("total").GetInt64());

        await ExpectAsync(await client.PatchAsync($"{Url}/{id}", Json("""{"expires_at": null}""")), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, (await BodyAsync(await client.GetAsync($"{Url}/{id}"))).GetProperty("expires_at").ValueKind);
        Assert.True((await ExpectAsync(await client.DeleteAsync($"{Url}/{id}"), HttpStatusCode.OK)).GetProperty("success").GetBoolean());
        await ErrorAsync(await client.GetAsync($"{Url}/{id}"), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"callback_id": CB, "version": "1.0.0"}""", "version", "must be \"2.0.0\"")]
    [InlineData("""{"callback_id": CB, "version": 2}""", "version", "must be a string")]
    [InlineData("""{"callback_id": CB, "expires_at": 1000}""", "expires_at", "must be a UNIX time in the future, or null")]
    [InlineData("""{"callback_id": CB, "expires_at": "tomorrow"}""", "expires_at", "must be an integer or null")]
    [InlineData("""{"callback_id": CB, "expires_at": 1.5}""", "expires_at", "must be an integer or null")]
    [InlineData("""{}""", "callback_id", "is required")]
    [InlineData("""{"callback_id": null}""", "callback_id", "must be an integer")]
    [InlineData("""{"callback_id": 999999}""", "callback_id", "no callback 999999 here")]
    [InlineData("""{"callback_id": CB, "tags": ["call"]}""", "tags", "is not a known field")]
    public async Task Bad_listener_fields_are_422_naming_the_field(string body, string field, string message)
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var callback = await EmailCallbackAsync(client);

        Assert.Equal(message, await FieldErrorAsync(await client.PostAsync(Url, Json(body.Replace("CB", callback.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))), field));
    }

    [Fact]
    public async Task An_extension_listener_needs_a_callback_visible_from_its_extension()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var extension = await hub.ClientAsync(TokenScope.Extension, 1000002, 7777777);
        var accountCallback = await EmailCallbackAsync(account);
        var extensionCallback = await EmailCallbackAsync(extension, ExtensionBase);

        await FieldErrorAsync(await extension.PostAsync($"{ExtensionBase}/listeners", Json($$"""{"callback_id": {{accountCallback}}}""")), "callback_id");
        var listener = await ExpectAsync(await extension.PostAsync($"{ExtensionBase}/listeners", Json($$"""{"callback_id": {{extensionCallback}}}""")), HttpStatusCode.Created);
        Assert.Equal(7777777, listener.GetProperty("extension_id").GetInt64());
        // An account-level listener may use the extension's callback: it is visible from the account base.
        await CreateAsync(account, Url, $$"""{"callback_id": {{extensionCallback}}}""");
    }

    [Fact]
    public async Task A_callback_used_by_a_listener_cannot_be_deleted_and_deleting_the_listener_releases_it()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var callback = await EmailCallbackAsync(client);
        var listener = await CreateAsync(client, Url, $$"""{"callback_id": {{callback}}}""");

        var error = await ErrorAsync(await client.DeleteAsync($"{AccountBase}/callbacks/{callback}"), HttpStatusCode.Conflict);
        Assert.Equal("Callback is in use. Look for listeners using it.", error.GetProperty("@message").GetString());

        await ExpectAsync(await client.DeleteAsync($"{Url}/{listener}"), HttpStatusCode.OK);
        await ExpectAsync(await client.DeleteAsync($"{AccountBase}/callbacks/{callback}"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Deleting_a_listener_removes_its_subscriptions_and_filters()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var callback = await EmailCallbackAsync(client);
        var listener = await CreateAsync(client, Url, $$"""{"callback_id": {{callback}}}""");
        await CreateAsync(client, $"{Url}/{listener}/subscriptions", """{":tags": ["call"]}""");
        await CreateAsync(client, $"{Url}/{listener}/filters", """{"filter_type": "number", "filter_value": {"eq": "+15551234567"}}""");

        await ExpectAsync(await client.DeleteAsync($"{Url}/{listener}"), HttpStatusCode.OK);

        await ErrorAsync(await client.GetAsync($"{Url}/{listener}/subscriptions"), HttpStatusCode.NotFound);
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        Assert.Equal(0L, await HubConnection.Int64Async(db.Command("SELECT (SELECT COUNT(*) FROM subscriptions) + (SELECT COUNT(*) FROM filters)"), CancellationToken.None));
    }
}
