using System.Net;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>api.md's 429: each API token has its own request budget (Api:RequestsPerSecond, Api:RequestBurst).</summary>
public class RequestLimitTests
{
    [Fact]
    public async Task A_token_past_its_burst_gets_429_with_retry_after_while_other_tokens_operators_and_ingest_go_on()
    {
        await using var hub = await TestHub.StartAsync(null, "--Api:RequestsPerSecond=1", "--Api:RequestBurst=3");
        using var busy = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var other = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var url = $"{AccountBase}/callbacks";

        for (var i = 0; i < 3; i++)
        {
            await ExpectAsync(await busy.GetAsync(url), HttpStatusCode.OK);
        }
        var refused = await busy.GetAsync(url);
        var error = await ErrorAsync(refused, HttpStatusCode.TooManyRequests);

        Assert.Contains("try again", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 2);
        await ExpectAsync(await other.GetAsync(url), HttpStatusCode.OK);
        for (var i = 0; i < 5; i++)
        {
            await Pipeline.IngestAsync(producer, Pipeline.ActivityOf("call-log.json"));
            await ExpectAsync(await producer.GetAsync(url), HttpStatusCode.OK);
        }
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        await ExpectAsync(await busy.GetAsync(url), HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_address_past_its_failed_authentication_burst_gets_429_with_retry_after_while_live_tokens_go_on()
    {
        await using var hub = await TestHub.StartAsync(null, "--Api:FailedAuthPerSecond=1", "--Api:FailedAuthBurst=3");
        using var stranger = new HttpClient { BaseAddress = new Uri(hub.Url) };
        stranger.DefaultRequestHeaders.Authorization = new("Bearer", "sb_not_a_token");
        using var owner = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = $"{AccountBase}/callbacks";

        await ErrorAsync(await stranger.GetAsync(url), HttpStatusCode.Unauthorized);
        await ErrorAsync(await hub.Http.GetAsync(url), HttpStatusCode.Unauthorized);
        await ErrorAsync(await stranger.PostAsync("/v4/ingest", Json("{}")), HttpStatusCode.Unauthorized);
        foreach (var refused in new[] { await stranger.GetAsync(url), await hub.Http.GetAsync(url), await stranger.PostAsync("/v4/ingest", Json("{}")) })
        {
            var error = await ErrorAsync(refused, HttpStatusCode.TooManyRequests);
            Assert.Contains("without a valid token", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
            Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 2);
        }
        // A live token from the same address is not held back by others' failures.
        await ExpectAsync(await owner.GetAsync(url), HttpStatusCode.OK);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        await ErrorAsync(await stranger.GetAsync(url), HttpStatusCode.Unauthorized);
    }
}
