using System.Net;
using System.Text.Json;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

public class CallbacksApiTests
{
    private const string Url = $"{AccountBase}/callbacks";

    [Fact]
    public async Task Creating_an_https_callback_verifies_the_url_with_the_configured_method_and_headers()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync(201);
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var created = await ExpectAsync(await client.PostAsync(Url, Json($$$"""
            {"name": "Hook", "mode": "HTTP", "config": {"url": "{{{receiver.Url}}}", "method": "PUT", "headers": [{"name": "X-Team", "value": "blue"}]}}
            """)), HttpStatusCode.Created);

        var test = Assert.Single(receiver.Requests);
        Assert.Equal("PUT", test.Method);
        Assert.Equal("/hook", test.PathAndQuery);
        Assert.Equal(1, JsonDocument.Parse(test.Body).RootElement.GetProperty("test").GetInt32());
        Assert.Equal("blue", test.Headers["X-Team"]);
        Assert.StartsWith("application/json", test.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("HTTP", created.GetProperty("mode").GetString());
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.Equal(1000002, created.GetProperty("voip_id").GetInt64());
        var config = created.GetProperty("config");
        Assert.Equal(receiver.Url, config.GetProperty("url").GetString());
        Assert.Equal("PUT", config.GetProperty("method").GetString());
        Assert.Equal(JsonValueKind.Null, config.GetProperty("timeout").ValueKind);
        Assert.Equal(JsonValueKind.Null, config.GetProperty("rate-limit").ValueKind);
    }

    [Fact]
    public async Task A_get_callback_is_verified_with_the_test_event_in_the_query()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        await CreateAsync(client, Url, $$$"""{"config": {"url": "{{{receiver.Url}}}", "method": "GET"}}""");

        var test = Assert.Single(receiver.Requests);
        Assert.Equal("GET", test.Method);
        Assert.Equal("/hook?event=" + Uri.EscapeDataString("""{"test": 1}"""), test.PathAndQuery);
    }

    [Fact]
    public async Task Mode_is_inferred_from_the_config()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var http = await ExpectAsync(await client.PostAsync(Url, Json($$$"""{"config": {"url": "{{{receiver.Url}}}"}}""")), HttpStatusCode.Created);
        var email = await ExpectAsync(await client.PostAsync(Url, Json("""{"config": {"email": "ops@example.org"}}""")), HttpStatusCode.Created);
        var app = await ExpectAsync(await client.PostAsync(Url, Json("""{"config": {"application": "sms-autoresponder", "parameters": {"message": "Back soon"}}}""")), HttpStatusCode.Created);

        Assert.Equal("HTTP", http.GetProperty("mode").GetString());
        Assert.Equal("POST", http.GetProperty("config").GetProperty("method").GetString());
        Assert.Equal("EMAIL", email.GetProperty("mode").GetString());
        Assert.Equal("json", email.GetProperty("config").GetProperty("mode").GetString());
        Assert.Equal("APPLICATION", app.GetProperty("mode").GetString());
        Assert.Equal(300, app.GetProperty("config").GetProperty("parameters").GetProperty("rate-limit").GetInt32());
    }

    [Theory]
    [InlineData("""{"url": "https://example.org/hook"}""", "HTTPS")]
    [InlineData("""{"url": "HTTPS://example.org/hook"}""", "HTTPS")]
    [InlineData("""{"url": "http://example.org/hook"}""", "HTTP")]
    [InlineData("""{"email": "a@example.org"}""", "EMAIL")]
    [InlineData("""{"application": "sms-autoresponder", "parameters": {"message": "hi"}}""", "APPLICATION")]
    public void The_mode_follows_from_the_config_when_omitted(string config, string mode)
    {
        // HTTPS cannot be verified against a loopback receiver without a certificate, so the
        // inference is checked on the config reader the create route uses.
        var errors = new Switchboard.Api.FieldErrors();

        var read = Switchboard.Api.CallbackConfigInput.Read(JsonDocument.Parse(config).RootElement, null, errors, null);

        Assert.False(errors.Any, string.Join("; ", errors.All));
        Assert.Equal(mode, read!.Mode);
    }

    [Fact]
    public async Task Explicit_https_with_an_http_url_is_rejected_with_422()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var message = await FieldErrorAsync(await client.PostAsync(Url, Json($$$"""{"mode": "HTTPS", "config": {"url": "{{{receiver.Url}}}"}}""")), "config.url");

        Assert.Equal("must be an https URL when mode is HTTPS", message);
        Assert.Empty(receiver.Requests);
    }

    [Theory]
    [InlineData(500, "500")]
    [InlineData(204, "204")]
    [InlineData(302, "302")]
    public async Task A_url_that_does_not_answer_200_or_201_fails_verification_and_nothing_is_stored(int status, string said)
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync(status);
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var error = await ErrorAsync(await client.PostAsync(Url, Json($$$"""{"config": {"url": "{{{receiver.Url}}}"}}""")), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(said, error.GetProperty("@message").GetString(), StringComparison.Ordinal);
        Assert.True(error.GetProperty("@fields").TryGetProperty("config.url", out _));
        Assert.Equal(0, (await BodyAsync(await client.GetAsync(Url))).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task A_url_that_answers_too_late_fails_verification_naming_the_timeout()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Delay = TimeSpan.FromSeconds(5);
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var error = await ErrorAsync(await client.PostAsync(Url, Json($$$"""{"config": {"url": "{{{receiver.Url}}}", "timeout": 1}}""")), HttpStatusCode.UnprocessableEntity);

        Assert.Contains("within 1 s", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_port_fails_verification_as_connection_refused()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var error = await ErrorAsync(await client.PostAsync(Url, Json($$$"""{"config": {"url": "http://127.0.0.1:{{{port}}}/hook"}}""")), HttpStatusCode.UnprocessableEntity);

        Assert.Contains("connection refused", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/hook")]
    [InlineData("http://localhost:{port}/hook")]
    [InlineData("http://[::1]:{port}/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://0.0.0.0:{port}/hook")]
    public async Task Private_and_loopback_targets_are_refused_unless_the_operator_allows_them(string url)
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:AllowPrivateNetworks=false");
        await using var receiver = await Receiver.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var target = url.Replace("{port}", new Uri(receiver.Url).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var error = await ErrorAsync(await client.PostAsync(Url, Json($$$"""{"config": {"url": "{{{target}}}"}}""")), HttpStatusCode.UnprocessableEntity);

        Assert.Contains("refused", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
        Assert.Contains("AllowPrivateNetworks", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Credential_headers_and_the_secret_are_masked_and_kept_when_sent_back_masked()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await using var moved = await Receiver.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var secret = Switchboard.Events.WebhookSignature.GenerateSecret();

        var created = await ExpectAsync(await client.PostAsync(Url, Json($$$"""
            {"config": {"url": "{{{receiver.Url}}}", "secret": "{{{secret}}}", "headers": [
                {"name": "authorization", "value": "Bearer s3cr3t"}, {"name": "X-Api-Key", "value": "k"},
                {"name": "Cookie", "value": "c=1"}, {"name": "Proxy-Authorization", "value": "p"}, {"name": "X-Plain", "value": "shown"}]}}
            """)), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal("Bearer s3cr3t", receiver.Requests.Single().Headers["Authorization"]);
        Assert.True(receiver.Requests.Single().Headers.ContainsKey("webhook-signature"));

        foreach (var shown in new[] { created, await BodyAsync(await client.GetAsync($"{Url}/{id}")), (await BodyAsync(await client.GetAsync(Url))).GetProperty("items")[0] })
        {
            var config = shown.GetProperty("config");
            Assert.True(config.GetProperty("secret").GetBoolean());
            var values = config.GetProperty("headers").EnumerateArray().Select(h => h.GetProperty("value")).ToList();
            Assert.All(values.Take(4), v => Assert.Equal(JsonValueKind.True, v.ValueKind));
            Assert.Equal("shown", values[4].GetString());
            Assert.DoesNotContain("s3cr3t", shown.GetRawText(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, shown.GetRawText(), StringComparison.Ordinal);
        }

        // The client sends back what it read, with only the URL changed: stored values stay.
        var config2 = created.GetProperty("config").GetRawText().Replace(receiver.Url, moved.Url, StringComparison.Ordinal);
        await ExpectAsync(await client.PatchAsync($"{Url}/{id}", Json($$$"""{"config": {{{config2}}}}""")), HttpStatusCode.OK);

        var test = Assert.Single(moved.Requests);
        Assert.Equal("Bearer s3cr3t", test.Headers["Authorization"]);
        Assert.Equal("k", test.Headers["X-Api-Key"]);
        Assert.True(test.Headers.ContainsKey("webhook-signature"));
    }

    [Fact]
    public async Task Changing_url_method_or_headers_verifies_again_and_other_changes_do_not()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var id = await CreateAsync(client, Url, $$$"""{"config": {"url": "{{{receiver.Url}}}"}}""");

        await ExpectAsync(await client.PatchAsync($"{Url}/{id}", Json("""{"name": "renamed", "enabled": false}""")), HttpStatusCode.OK);
        Assert.Single(receiver.Requests);
        await ExpectAsync(await client.PatchAsync($"{Url}/{id}", Json($$$"""{"config": {"url": "{{{receiver.Url}}}", "timeout": 5}}""")), HttpStatusCode.OK);
        Assert.Single(receiver.Requests);

        receiver.Status = 404;
        var error = await ErrorAsync(await client.PatchAsync($"{Url}/{id}", Json($$$"""{"config": {"url": "{{{receiver.Url}}}", "method": "PATCH"}}""")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("404", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
        var unchanged = await BodyAsync(await client.GetAsync($"{Url}/{id}"));
        Assert.Equal("POST", unchanged.GetProperty("config").GetProperty("method").GetString());
        Assert.Equal(5, unchanged.GetProperty("config").GetProperty("timeout").GetInt32());
        Assert.Equal("renamed", unchanged.GetProperty("name").GetString());
        Assert.False(unchanged.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Switching_mode_without_a_fitting_config_is_rejected()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var id = await CreateAsync(client, Url, $$$"""{"config": {"url": "{{{receiver.Url}}}"}}""");

        Assert.Contains("send a config", await FieldErrorAsync(await client.PatchAsync($"{Url}/{id}", Json("""{"mode": "EMAIL"}""")), "mode"), StringComparison.Ordinal);
        Assert.Equal("must be an https URL when mode is HTTPS", await FieldErrorAsync(await client.PatchAsync($"{Url}/{id}", Json("""{"mode": "HTTPS"}""")), "config.url"));
        var email = await ExpectAsync(await client.PatchAsync($"{Url}/{id}", Json("""{"config": {"email": "a@example.org", "mode": "text"}}""")), HttpStatusCode.OK);
        Assert.Equal("EMAIL", email.GetProperty("mode").GetString());
        Assert.Equal("text", email.GetProperty("config").GetProperty("mode").GetString());
    }

    [Theory]
    [InlineData("""{"config": {"url": "ftp://example.org"}}""", "config.url", "must be an absolute http or https URL")]
    [InlineData("""{"config": {"url": "/relative"}}""", "config.url", "must be an absolute http or https URL")]
    [InlineData("""{"mode": "HTTP", "config": {"url": "not a url"}}""", "config.url", "must be an absolute http or https URL")]
    [InlineData("""{"config": {"url": "http:\\\\127.0.0.1/"}}""", "config.url", "must be an absolute http or https URL")]
    [InlineData("""{"mode": "HTTP", "config": {"url": "http:\\\\127.0.0.1/"}}""", "config.url", "must be an absolute http or https URL")]
    [InlineData("""{"mode": "HTTPS", "config": {"url": "https:/\\127.0.0.1/"}}""", "config.url", "must be an absolute http or https URL")]
    [InlineData("""{"mode": "HTTP", "config": {"url": "http://127.0.0.1/a\tb"}}""", "config.url", "must be an absolute http or https URL")]
    [InlineData("""{"config": {"url": "http://x.example", "method": "post"}}""", "config.method", "must be one of POST, GET, PUT, PATCH, DELETE")]
    [InlineData("""{"config": {"url": "http://x.example", "timeout": 31}}""", "config.timeout", "must be from 1 to 30")]
    [InlineData("""{"config": {"url": "http://x.example", "timeout": 0}}""", "config.timeout", "must be from 1 to 30")]
    [InlineData("""{"config": {"url": "http://x.example", "timeout": "5"}}""", "config.timeout", "must be an integer or null")]
    [InlineData("""{"config": {"url": "http://x.example", "rate-limit": {"number": 0, "period": 60}}}""", "config.rate-limit.number", "must be from 1 to 1000000")]
    [InlineData("""{"config": {"url": "http://x.example", "rate-limit": {"number": 1000001, "period": 60}}}""", "config.rate-limit.number", "must be from 1 to 1000000")]
    [InlineData("""{"config": {"url": "http://x.example", "rate-limit": {"number": 5, "period": 2592001}}}""", "config.rate-limit.period", "must be from 1 to 2592000")]
    [InlineData("""{"config": {"email": "a@example.org", "rate-limit": {"number": 2147483647, "period": 2147483647}}}""", "config.rate-limit.number", "must be from 1 to 1000000")]
    [InlineData("""{"config": {"url": "http://x.example", "rate-limit": {"number": 5}}}""", "config.rate-limit.period", "is required")]
    [InlineData("""{"config": {"url": "http://x.example", "headers": [{"name": "Bad Name", "value": "x"}]}}""", "config.headers[0].name", "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)")]
    [InlineData("""{"config": {"url": "http://x.example", "headers": [{"name": "Host", "value": "x"}]}}""", "config.headers[0].name", "Host is set by Switchboard and cannot be configured")]
    [InlineData("""{"config": {"url": "http://x.example", "headers": [{"name": "X-A", "value": true}]}}""", "config.headers[0].value", "must be a string")]
    [InlineData("""{"config": {"url": "http://x.example", "headers": [{"name": "X-A", "value": "a\nb"}]}}""", "config.headers[0].value", "must not contain line breaks")]
    [InlineData("""{"config": {"url": "http://x.example", "headers": ["X-A: b"]}}""", "config.headers[0]", "must be an object with name and value")]
    [InlineData("""{"config": {"url": "http://x.example", "secret": "not base64!"}}""", "config.secret", "must be a Standard Webhooks secret: whsec_ followed by the base64 of at least 24 bytes")]
    [InlineData("""{"config": {"url": "http://x.example", "secret": "mysecret"}}""", "config.secret", "must be a Standard Webhooks secret: whsec_ followed by the base64 of at least 24 bytes")]
    [InlineData("""{"config": {"url": "http://x.example", "secret": "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}""", "config.secret", "must be a Standard Webhooks secret: whsec_ followed by the base64 of at least 24 bytes")]
    [InlineData("""{"config": {"url": "http://x.example", "secret": "whsec_AQ=="}}""", "config.secret", "must be a Standard Webhooks secret: whsec_ followed by the base64 of at least 24 bytes")]
    [InlineData("""{"config": {"url": "http://x.example", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa=="}}""", "config.secret", "must be a Standard Webhooks secret: whsec_ followed by the base64 of at least 24 bytes")]
    [InlineData("""{"config": {"url": "http://x.example", "email": "a@example.org"}}""", "config.email", "is not a known field")]
    [InlineData("""{"config": {}}""", "config", "must have url (HTTP, HTTPS), email (EMAIL) or application (APPLICATION)")]
    [InlineData("""{"config": {"email": "nobody"}}""", "config.email", "must be an e-mail address")]
    [InlineData("""{"config": {"email": "a@example.org", "mode": "html"}}""", "config.mode", "must be one of json, text")]
    [InlineData("""{"mode": "EMAIL", "config": {"url": "http://x.example"}}""", "config.email", "is required")]
    [InlineData("""{"mode": "SMS", "config": {"email": "a@example.org"}}""", "mode", "must be one of HTTPS, HTTP, EMAIL, APPLICATION")]
    [InlineData("""{"config": {"application": "crm"}}""", "config.application", "must be one of google-analytics, sms-autoresponder")]
    [InlineData("""{"config": {"application": "sms-autoresponder"}}""", "config.parameters", "is required")]
    [InlineData("""{"config": {"application": "sms-autoresponder", "parameters": {"message": ""}}}""", "config.parameters.message", "must not be empty")]
    [InlineData("""{"config": {"application": "sms-autoresponder", "parameters": {"message": "hi", "rate-limit": 59}}}""", "config.parameters.rate-limit", "must be from 60 to 2592000")]
    [InlineData("""{"config": {"application": "sms-autoresponder", "parameters": {"message": "hi", "rate-limit": 2592001}}}""", "config.parameters.rate-limit", "must be from 60 to 2592000")]
    [InlineData("""{"config": {"application": "google-analytics", "parameters": {}}}""", "config.parameters.tracking_id", "is required")]
    [InlineData("""{"config": {"application": "google-analytics", "parameters": {"tracking_id": "XX-1"}}}""", "config.parameters.tracking_id", "must be a UA-… tracking id or a G-… measurement id")]
    [InlineData("""{"config": {"application": "google-analytics", "parameters": {"tracking_id": "G-ABC123"}}}""", "config.parameters.api_secret", "is required")]
    [InlineData("""{"config": {"application": "google-analytics", "parameters": {"tracking_id": "UA-123-1", "static": {"zz": "1"}}}}""", "config.parameters.static.zz", "is not an allowed parameter; use cd1, cd2, cd3, cd4, cd5, cid, dh, dl, ea, ec, el, ev, ni, t, tid, uid, v")]
    [InlineData("""{"config": {"application": "google-analytics", "parameters": {"tracking_id": "UA-123-1", "dynamic": {"t": "direction"}}}}""", "config.parameters.dynamic.t", "is not an allowed parameter; use cd1, cd2, cd3, cd4, cd5, cid, dh, dl, ea, ec, el, ev, ni, uid")]
    [InlineData("""{"config": {"application": "google-analytics", "parameters": {"tracking_id": "UA-123-1", "dynamic": {"cd1": "weather"}}}}""", "config.parameters.dynamic.cd1", "must be one of call_duration, direction, direction_text, phone_number, other_phone_number")]
    [InlineData("""{"config": {"email": "a@example.org"}, "enabled": "yes"}""", "enabled", "must be true or false")]
    [InlineData("""{"config": {"email": "a@example.org"}, "name": 3}""", "name", "must be a string or null")]
    [InlineData("""{"config": {"email": "a@example.org"}, "profile_id": "1"}""", "profile_id", "must be an integer or null")]
    [InlineData("""{"config": {"email": "a@example.org"}, "fallback_callback_id": 0}""", "fallback_callback_id", "must be at least 1")]
    [InlineData("""{"config": "https://example.org"}""", "config", "must be an object")]
    [InlineData("""{"name": "x"}""", "config", "is required")]
    public async Task Bad_callback_fields_are_422_naming_the_field(string body, string field, string message)
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        Assert.Equal(message, await FieldErrorAsync(await client.PostAsync(Url, Json(body)), field));
    }

    [Fact]
    public async Task Sms_message_may_be_1600_characters_but_not_1601()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        static string Body(int length) => """{"config": {"application": "sms-autoresponder", "parameters": {"message": "MESSAGE"}}}""".Replace("MESSAGE", new string('a', length), StringComparison.Ordinal);

        await CreateAsync(client, Url, Body(1600));
        Assert.Equal("must be at most 1600 characters", await FieldErrorAsync(await client.PostAsync(Url, Json(Body(1601))), "config.parameters.message"));
    }

    [Fact]
    public async Task Google_analytics_parameters_are_stored_normalised()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var created = await ExpectAsync(await client.PostAsync(Url, Json("""
            {"config": {"application": "google-analytics", "parameters": {"tracking_id": "G-ABC123", "api_secret": "s", "static": {"ec": "calls", "ev": 3}, "dynamic": {"el": "phone_number"}}}}
            """)), HttpStatusCode.Created);

        var parameters = created.GetProperty("config").GetProperty("parameters");
        Assert.Equal("G-ABC123", parameters.GetProperty("tracking_id").GetString());
        Assert.Equal("3", parameters.GetProperty("static").GetProperty("ev").GetString());
        Assert.Equal("phone_number", parameters.GetProperty("dynamic").GetProperty("el").GetString());
    }

    [Fact]
    public async Task Profile_and_fallback_must_be_visible_from_the_base()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var extension = await hub.ClientAsync(TokenScope.Extension, 1000002, 7777777);
        using var other = await hub.ClientAsync(TokenScope.Account, 2000003);
        var foreignProfile = await CreateAsync(other, $"{OtherAccountBase}/profiles", """{"name": "theirs"}""");
        var foreignCallback = await CreateAsync(other, $"{OtherAccountBase}/callbacks", """{"config": {"email": "x@example.org"}}""");
        var accountCallback = await CreateAsync(account, Url, """{"config": {"email": "x@example.org"}}""");
        var ownProfile = await CreateAsync(account, $"{AccountBase}/profiles", """{"name": "ours"}""");

        Assert.Equal($"no profile {foreignProfile} here", await FieldErrorAsync(await account.PostAsync(Url, Json($$$"""{"profile_id": {{{foreignProfile}}}, "config": {"email": "a@example.org"}}""")), "profile_id"));
        Assert.Equal($"no callback {foreignCallback} here", await FieldErrorAsync(await account.PostAsync(Url, Json($$$"""{"fallback_callback_id": {{{foreignCallback}}}, "config": {"email": "a@example.org"}}""")), "fallback_callback_id"));
        // An account-level callback is not visible from an extension base.
        await FieldErrorAsync(await extension.PostAsync($"{ExtensionBase}/callbacks", Json($$$"""{"fallback_callback_id": {{{accountCallback}}}, "config": {"email": "a@example.org"}}""")), "fallback_callback_id");
        await FieldErrorAsync(await extension.PostAsync($"{ExtensionBase}/callbacks", Json($$$"""{"profile_id": {{{ownProfile}}}, "config": {"email": "a@example.org"}}""")), "profile_id");

        var ok = await ExpectAsync(await account.PostAsync(Url, Json($$$"""{"profile_id": {{{ownProfile}}}, "fallback_callback_id": {{{accountCallback}}}, "config": {"email": "a@example.org"}}""")), HttpStatusCode.Created);
        Assert.Equal(ownProfile, ok.GetProperty("profile_id").GetInt64());
        Assert.Equal(accountCallback, ok.GetProperty("fallback_callback_id").GetInt64());
    }

    [Fact]
    public async Task A_fallback_chain_may_not_loop()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var a = await CreateAsync(client, Url, """{"config": {"email": "a@example.org"}}""");
        var b = await CreateAsync(client, Url, $$$"""{"fallback_callback_id": {{{a}}}, "config": {"email": "b@example.org"}}""");
        var c = await CreateAsync(client, Url, $$$"""{"fallback_callback_id": {{{b}}}, "config": {"email": "c@example.org"}}""");

        Assert.Contains("loop", await FieldErrorAsync(await client.PatchAsync($"{Url}/{a}", Json($$$"""{"fallback_callback_id": {{{c}}}}""")), "fallback_callback_id"), StringComparison.Ordinal);
        Assert.Contains("loop", await FieldErrorAsync(await client.PatchAsync($"{Url}/{a}", Json($$$"""{"fallback_callback_id": {{{a}}}}""")), "fallback_callback_id"), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, (await BodyAsync(await client.GetAsync($"{Url}/{a}"))).GetProperty("fallback_callback_id").ValueKind);
        await ExpectAsync(await client.PatchAsync($"{Url}/{c}", Json($$$"""{"fallback_callback_id": {{{a}}}}""")), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_callback_named_as_fallback_cannot_be_deleted_until_released()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var a = await CreateAsync(client, Url, """{"config": {"email": "a@example.org"}}""");
        var b = await CreateAsync(client, Url, $$$"""{"fallback_callback_id": {{{a}}}, "config": {"email": "b@example.org"}}""");

        var error = await ErrorAsync(await client.DeleteAsync($"{Url}/{a}"), HttpStatusCode.Conflict);
        Assert.Equal("Callback is in use. Look for listeners using it.", error.GetProperty("@message").GetString());

        await ExpectAsync(await client.PatchAsync($"{Url}/{b}", Json("""{"fallback_callback_id": null}""")), HttpStatusCode.OK);
        Assert.True((await ExpectAsync(await client.DeleteAsync($"{Url}/{a}"), HttpStatusCode.OK)).GetProperty("success").GetBoolean());
        await ErrorAsync(await client.GetAsync($"{Url}/{a}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_profile_used_by_a_callback_cannot_be_deleted()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var profile = await CreateAsync(client, $"{AccountBase}/profiles", """{"name": "ops"}""");
        await CreateAsync(client, Url, $$$"""{"profile_id": {{{profile}}}, "config": {"email": "b@example.org"}}""");

        await ErrorAsync(await client.DeleteAsync($"{AccountBase}/profiles/{profile}"), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Callbacks_are_listed_newest_first_and_filtered()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var first = await CreateAsync(client, Url, """{"name": "one", "config": {"email": "a@example.org"}}""");
        var second = await CreateAsync(client, Url, """{"name": "two", "enabled": false, "config": {"application": "sms-autoresponder", "parameters": {"message": "hi"}}}""");

        var all = await BodyAsync(await client.GetAsync(Url));
        Assert.Equal([second, first], all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        var disabled = await BodyAsync(await client.GetAsync($"{Url}?filters[enabled]=false"));
        Assert.Equal(second, Assert.Single(disabled.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        Assert.False(disabled.GetProperty("filters").GetProperty("enabled").GetBoolean());
        var email = await BodyAsync(await client.GetAsync($"{Url}?filters[mode]=EMAIL&filters[name]=one"));
        Assert.Equal(1, email.GetProperty("total").GetInt64());
        Assert.Equal("Value must be true or false", "Value " + await FieldErrorAsync(await client.GetAsync($"{Url}?filters[enabled]=maybe"), "filters[enabled]"));
        await FieldErrorAsync(await client.GetAsync($"{Url}?filters[profile_id]=x"), "filters[profile_id]");
    }
}
