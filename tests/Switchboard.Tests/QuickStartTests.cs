using System.Net;
using System.Text.Json;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>The quick start, step by step, as a user would type it.</summary>
public class QuickStartTests
{
    [Fact]
    public async Task Callback_then_listener_then_subscription_then_number_filter()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        // 1. A callback: the hub checks the URL answers before storing it.
        var callback = await ExpectAsync(await client.PostAsync($"{AccountBase}/callbacks", Json($$$"""
            {"name": "My callback", "config": {"url": "{{{receiver.Url}}}", "method": "POST"}}
            """)), HttpStatusCode.Created);
        var test = Assert.Single(receiver.Requests);
        Assert.Equal("""{"test": 1}""", test.Body);

        // 2. A listener using it.
        var listener = await ExpectAsync(await client.PostAsync($"{AccountBase}/listeners", Json($$$"""
            {"callback_id": {{{callback.GetProperty("id")}}}}
            """)), HttpStatusCode.Created);
        var listenerUrl = $"{AccountBase}/listeners/{listener.GetProperty("id")}";

        // 3. Inbound calls.
        await ExpectAsync(await client.PostAsync($"{listenerUrl}/subscriptions", Json("""{":tags": ["call", "inbound"]}""")), HttpStatusCode.Created);

        // 4. Only for one number.
        await ExpectAsync(await client.PostAsync($"{listenerUrl}/filters", Json("""{"filter_type": "number", "filter_value": {"eq": "+15551234567"}}""")), HttpStatusCode.Created);

        var overview = await BodyAsync(await client.GetAsync($"{AccountBase}/overview"));
        var item = Assert.Single(overview.GetProperty("items").EnumerateArray());
        Assert.Equal(receiver.Url, item.GetProperty(":callback").GetProperty("config").GetProperty("url").GetString());
        Assert.Equal(["call", "inbound"], item.GetProperty(":subscriptions")[0].GetProperty(":tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("+15551234567", item.GetProperty(":filters")[0].GetProperty("filter_value").GetProperty("eq").GetString());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("expires_at").ValueKind);
    }
}
