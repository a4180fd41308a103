using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>api.md, Errors: errors answered on an account's base reach its account-level listeners as api-error events.</summary>
public class ApiErrorReportTests
{
    private const string Secret = "whsec_c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw==";
    private const string HeaderCredential = "Bearer callback-credential-4711";

    /// <summary>A hub, a receiver, and an account-level listener of 1000002 subscribed to api-error.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        public required TestHub Hub { get; init; }
        public required Receiver Receiver { get; init; }
        public required HttpClient Account { get; init; }

        public string Token => Account.DefaultRequestHeaders.Authorization!.Parameter!;

        public static async Task<Setup> StartAsync(string[]? tags = null)
        {
            var hub = await TestHub.StartAsync();
            var receiver = await Receiver.StartAsync();
            var account = await hub.ClientAsync(TokenScope.Account, 1000002);
            await ListenAsync(account, AccountBase, receiver.Url, [tags ?? ["api-error"]]);
            return new Setup { Hub = hub, Receiver = receiver, Account = account };
        }

        /// <summary>Waits for the api-error event whose request URL is <paramref name="url"/> (and status, when given).</summary>
        public async Task<JsonElement> EventForAsync(string url, int? status = null)
        {
            await Receiver.WaitForAsync(r => Find(r, url, status) is not null, what: $"an api-error for {url}");
            return Parse(Find([.. Receiver.Events], url, status)!.Body);
        }

        public IReadOnlyList<JsonElement> Events => [.. Receiver.Events.Select(r => Parse(r.Body))];

        /// <summary>The api-error activities stored for an account (each is stored only when some listener wants it).</summary>
        public async Task<long> StoredActivitiesAsync(long voipId)
        {
            await using var db = await Hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
            return await HubConnection.Int64Async(
                db.Command("SELECT COUNT(*) FROM activities WHERE voip_id = @v AND data_type = 'api-error'").With("@v", voipId), CancellationToken.None);
        }

        private static ReceivedRequest? Find(IReadOnlyList<ReceivedRequest> requests, string url, int? status) =>
            requests.FirstOrDefault(r =>
            {
                var data = Parse(r.Body).GetProperty("data");
                return data.GetProperty("request").GetProperty("url").GetString() == url
                    && (status is null || data.GetProperty("response").GetProperty("status").GetInt32() == status);
            });

        public async ValueTask DisposeAsync()
        {
            Account.Dispose();
            await Receiver.DisposeAsync();
            await Hub.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_refused_create_on_the_account_base_reaches_the_listener_with_the_answer_and_no_credential()
    {
        await using var setup = await Setup.StartAsync();
        var url = $"{AccountBase}/callbacks";
        var body = $$$"""{"config": {"url": "not a url", "secret": "{{{Secret}}}", "headers": [{"name": "Authorization", "value": "{{{HeaderCredential}}}"}, {"name": "X-Trace", "value": "t-1"}]}}""";

        var response = await setup.Account.PostAsync(url, Json(body));
        var answer = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);

        var sent = await setup.EventForAsync(url);
        Assert.Equal("api-error", sent.GetProperty("data_type").GetString());
        Assert.Equal(["api-error", "api-error-trusted"], sent.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("""{"type":"account","id":1000002,"voip_id":1000002}""", sent.GetProperty("context").GetRawText());
        var data = sent.GetProperty("data");
        Assert.Equal(422, data.GetProperty("response").GetProperty("status").GetInt32());
        Assert.Equal(answer, data.GetProperty("response").GetProperty("payload").GetString());
        Assert.Equal(Parse(answer).GetProperty("@error").GetProperty("@message").GetString(), data.GetProperty("error").GetString());
        var request = data.GetProperty("request");
        Assert.Equal("POST", request.GetProperty("method").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount(body), request.GetProperty("body_size").GetInt64());
        Assert.Equal(JsonValueKind.True, request.GetProperty("headers").GetProperty("Authorization").ValueKind);
        var sentBody = Parse(request.GetProperty("body").GetString()!);
        Assert.Equal("not a url", sentBody.GetProperty("config").GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.True, sentBody.GetProperty("config").GetProperty("secret").ValueKind);
        Assert.Equal(JsonValueKind.True, sentBody.GetProperty("config").GetProperty("headers")[0].GetProperty("value").ValueKind);
        Assert.Equal("t-1", sentBody.GetProperty("config").GetProperty("headers")[1].GetProperty("value").GetString());
        var whole = setup.Receiver.Events.Single().Body;
        Assert.DoesNotContain(setup.Token, whole, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, whole, StringComparison.Ordinal);
        Assert.DoesNotContain("callback-credential-4711", whole, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_on_the_extension_and_schedule_bases_and_unknown_routes_are_reported_for_the_account()
    {
        await using var setup = await Setup.StartAsync();
        string[] urls = [$"{ExtensionBase}/callbacks/987654", $"{ExtensionBase}/no-such-resource", "/v4/accounts/1000002/schedules/987654"];

        foreach (var url in urls)
        {
            var response = await setup.Account.GetAsync(url);
            var answer = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var data = (await setup.EventForAsync(url)).GetProperty("data");
            Assert.Equal(404, data.GetProperty("response").GetProperty("status").GetInt32());
            Assert.Equal(answer, data.GetProperty("response").GetProperty("payload").GetString());
            Assert.Equal("GET", data.GetProperty("request").GetProperty("method").GetString());
            Assert.Equal(0, data.GetProperty("request").GetProperty("body_size").GetInt64());
            Assert.Equal(JsonValueKind.True, data.GetProperty("request").GetProperty("headers").GetProperty("Authorization").ValueKind);
        }
        Assert.Equal(urls.Length, setup.Receiver.Events.Count());
    }

    [Fact]
    public async Task Framework_errors_are_reported_with_their_envelope()
    {
        await using var setup = await Setup.StartAsync();
        var url = $"{AccountBase}/profiles";

        var malformed = await setup.Account.PostAsync(url, Json("""{"name": "a", """));
        var wrongMethod = await setup.Account.PutAsync(url, Json("{}"));
        var notJson = await setup.Account.PostAsync(url, new StringContent("name=a", Encoding.UTF8, "text/plain"));

        foreach (var (response, status) in new[] { (malformed, 400), (wrongMethod, 405), (notJson, 415) })
        {
            var answer = await response.Content.ReadAsStringAsync();
            Assert.Equal(status, (int)response.StatusCode);
            var data = (await setup.EventForAsync(url, status)).GetProperty("data");
            Assert.Equal(answer, data.GetProperty("response").GetProperty("payload").GetString());
        }
        var malformedData = (await setup.EventForAsync(url, 400)).GetProperty("data");
        Assert.Equal("""{"name": "a", """, malformedData.GetProperty("request").GetProperty("body").GetString());
        Assert.Equal("name=a", (await setup.EventForAsync(url, 415)).GetProperty("data").GetProperty("request").GetProperty("body").GetString());
    }

    [Fact]
    public async Task Secrets_are_masked_in_bodies_that_are_cut_or_malformed()
    {
        await using var setup = await Setup.StartAsync();
        var url = $"{AccountBase}/callbacks";
        // Valid JSON, but longer than the copy kept: the copy is cut and read by pattern.
        var padding = new string('x', 6000);
        var longBody = $$$"""{"config": {"timeout": 0, "headers": [{"value": "{{{HeaderCredential}}}", "name": "authorization"}], "secret": "{{{Secret}}}", "url": "https://example.org/{{{padding}}}"}}""";
        // Malformed: a secret cut off where the body ends.
        var brokenBody = $$"""{"config": {"url": "https://example.org", "secret": "{{Secret[..20]}}""";

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await setup.Account.PostAsync(url, Json(longBody))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await setup.Account.PostAsync(url, Json(brokenBody))).StatusCode);

        var cut = (await setup.EventForAsync(url, 422)).GetProperty("data").GetProperty("request");
        Assert.True(cut.GetProperty("body_truncated").GetBoolean());
        Assert.Equal(Encoding.UTF8.GetByteCount(longBody), cut.GetProperty("body_size").GetInt64());
        var cutBody = cut.GetProperty("body").GetString()!;
        Assert.StartsWith("""{"config": {"timeout": 0, "headers": [{"value": true, "name": "authorization"}], "secret": true, "url": "https://example.org/xxx""", cutBody, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(cutBody) <= 4096, $"{cutBody.Length} characters kept");
        var broken = (await setup.EventForAsync(url, 400)).GetProperty("data").GetProperty("request").GetProperty("body").GetString();
        Assert.Equal("""{"config": {"url": "https://example.org", "secret": true""", broken);
        foreach (var request in setup.Receiver.Events)
        {
            Assert.DoesNotContain("callback-credential-4711", request.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret[..20], request.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unauthenticated_request_is_reported_without_the_trusted_tag()
    {
        await using var setup = await Setup.StartAsync();
        await using var trustedOnly = await Receiver.StartAsync();
        await ListenAsync(setup.Account, AccountBase, trustedOnly.Url, [["api-error-trusted"]]);
        var url = $"{AccountBase}/callbacks";

        var response = await setup.Hub.Http.PostAsync(url, Json("""{"config": {"email": "a@example.org"}}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var trustedUrl = $"{AccountBase}/callbacks/987654";
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Account.GetAsync(trustedUrl)).StatusCode);

        var sent = await setup.EventForAsync(url, 401);
        Assert.Equal(["api-error"], sent.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.False(sent.GetProperty("data").GetProperty("request").GetProperty("headers").TryGetProperty("Authorization", out _));
        // The listener of api-error-trusted gets the 404 but never the 401.
        await trustedOnly.WaitForAsync(r => r.Count >= 1, what: "the trusted 404");
        await setup.EventForAsync(trustedUrl);
        Assert.Equal([404], trustedOnly.Events.Select(r => Parse(r.Body).GetProperty("data").GetProperty("response").GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task Repeated_errors_are_reported_once_a_second_for_each_status_and_route()
    {
        await using var setup = await Setup.StartAsync();
        var callbacks = $"{AccountBase}/callbacks";
        var profiles = $"{AccountBase}/profiles";

        // Sent together, so that all ten fall within one second.
        var repeated = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => setup.Account.PostAsync(callbacks, Json("""{"config": {}}"""))));
        Assert.All(repeated, r => Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode));
        Assert.Equal(HttpStatusCode.BadRequest, (await setup.Account.PostAsync(callbacks, Json("{"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await setup.Account.PostAsync(profiles, Json("{}"))).StatusCode);
        // Ids do not make routes: two missing callbacks are one (404, route).
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Account.GetAsync($"{callbacks}/987654")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Account.GetAsync($"{callbacks}/987655")).StatusCode);

        await setup.EventForAsync(callbacks, 400);
        await setup.EventForAsync(profiles, 422);
        await setup.EventForAsync($"{callbacks}/987654", 404);
        await setup.EventForAsync(callbacks, 422);
        // Storage is written in order, so once the last one's event is out every earlier report is stored.
        var marker = $"{AccountBase}/marker";
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Account.GetAsync(marker)).StatusCode);
        await setup.EventForAsync(marker);

        Assert.Equal(5, await setup.StoredActivitiesAsync(1000002));
        var statuses = setup.Events.Select(e => e.GetProperty("data").GetProperty("response").GetProperty("status").GetInt32()).Order();
        Assert.Equal([400, 404, 404, 422, 422], statuses);
    }

    [Fact]
    public async Task Errors_of_ingest_and_of_other_accounts_are_not_reported_to_this_account()
    {
        await using var setup = await Setup.StartAsync();
        await using var otherReceiver = await Receiver.StartAsync();
        using var other = await setup.Hub.ClientAsync(TokenScope.Account, 2000003);
        using var producer = await setup.Hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(other, OtherAccountBase, otherReceiver.Url, [["api-error"]]);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await producer.PostAsync("/v4/ingest", Json("""{"voip_id": 1000002, "data_type": "api-error", "data": {}}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await setup.Hub.Http.PostAsync("/v4/ingest", Json("{}"))).StatusCode);
        var othersUrl = $"{OtherAccountBase}/callbacks/987654";
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(othersUrl)).StatusCode);
        // This account's token on the other account: a 403 that belongs to the other account.
        Assert.Equal(HttpStatusCode.Forbidden, (await setup.Account.GetAsync($"{OtherAccountBase}/callbacks")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Hub.Http.GetAsync("/nothing-here")).StatusCode);

        // Then one error of this account: once its event is out, nothing else came before it.
        var marker = $"{AccountBase}/marker";
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Account.GetAsync(marker)).StatusCode);
        await setup.EventForAsync(marker);
        await otherReceiver.WaitForAsync(r => r.Count >= 2, what: "the other account's two errors");

        Assert.Equal(1, await setup.StoredActivitiesAsync(1000002));
        Assert.Single(setup.Receiver.Events);
        var others = otherReceiver.Events.Select(r => Parse(r.Body)).ToList();
        Assert.All(others, e => Assert.Equal(2000003, e.GetProperty("context").GetProperty("voip_id").GetInt64()));
        Assert.Equal([403, 404], others.Select(e => e.GetProperty("data").GetProperty("response").GetProperty("status").GetInt32()).Order());
    }
}
