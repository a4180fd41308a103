using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using static Switchboard.Events.AspNetCore.Tests.Deliveries;

namespace Switchboard.Events.AspNetCore.Tests;

/// <summary>What the endpoint answers besides signatures and duplicates: verification, bad events, size, methods, options.</summary>
public class EndpointTests
{
    private static readonly string Secret = WebhookSignature.GenerateSecret();

    [Fact]
    public async Task The_hubs_signed_verification_request_is_answered_200_without_calling_the_handler()
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));

        var (status, _) = await app.SendAsync(Signed(VerificationBody, Secret, app.Time.GetUtcNow(), "test_" + Guid.NewGuid().ToString("N")));

        Assert.Equal(200, status);
        Assert.Empty(app.Handled);
    }

    [Fact]
    public async Task An_unsigned_verification_request_is_refused_when_a_secret_is_configured()
    {
        // So a callback created in the hub without the secret fails at creation, not at every event.
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));

        var (status, _) = await app.SendAsync(Unsigned(VerificationBody));

        Assert.Equal(401, status);
    }

    [Fact]
    public async Task Without_a_secret_the_verification_request_is_answered_200()
    {
        await using var app = await WebhookApp.StartAsync();

        var (status, _) = await app.SendAsync(Unsigned(VerificationBody));

        Assert.Equal(200, status);
        Assert.Empty(app.Handled);
    }

    [Theory]
    [InlineData("""{"test": 2}""")]
    [InlineData("""{"test": 1, "uuid": "x"}""")]
    [InlineData("""{}""")]
    public async Task Other_bodies_are_not_taken_for_the_verification_request(string body)
    {
        await using var app = await WebhookApp.StartAsync();

        var (status, text) = await app.SendAsync(Unsigned(body));

        Assert.Equal(400, status);
        Assert.StartsWith("not a valid Switchboard event:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_event_is_refused_with_400_naming_the_json_path()
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));
        var json = Fixture(CallConnected).Replace("\"state\": \"connected\"", "\"state\": \"ringing\"", StringComparison.Ordinal);

        var (status, text) = await app.SendAsync(Signed(json, Secret, app.Time.GetUtcNow()));

        Assert.Equal(400, status);
        Assert.Equal("not a valid Switchboard event:\ndata.event_leg.state: \"ringing\" is not one of new, connecting, connected, completed\n", text);
        Assert.Empty(app.Handled);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"uuid\": ")]
    [InlineData("<xml/>")]
    public async Task A_body_that_is_not_json_is_refused_with_400(string body)
    {
        await using var app = await WebhookApp.StartAsync();

        var (status, text) = await app.SendAsync(Unsigned(body, "msg_1"));

        Assert.Equal(400, status);
        Assert.StartsWith("not a valid Switchboard event:\n$: is not valid JSON", text, StringComparison.Ordinal);
        Assert.Empty(app.Handled);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413()
    {
        await using var app = await WebhookApp.StartAsync(o => o.MaxBodyBytes = 1024);
        var json = Fixture(Message); // about 1.3 KiB
        Assert.True(Encoding.UTF8.GetByteCount(json) > 1024);

        var (status, text) = await app.SendAsync(Unsigned(json));

        Assert.Equal(413, status);
        Assert.Equal("the event is larger than this endpoint accepts (1024 bytes)\n", text);
        Assert.Empty(app.Handled);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused_with_413_without_a_length_to_go_by()
    {
        await using var app = await WebhookApp.StartAsync(o => o.MaxBodyBytes = 64 * 1024);
        using var request = Unsigned(Fixture(Message));
        // Sent chunked, without a Content-Length to refuse it by: only reading finds it too large.
        var json = "{\"pad\": \"" + new string('x', 256 * 1024) + "\"}";
        request.Content = new StreamContent(new UnknownLength(Encoding.UTF8.GetBytes(json)));

        var (status, _) = await app.SendAsync(request);

        Assert.Equal(413, status);
        Assert.Empty(app.Handled);
    }

    [Fact]
    public async Task A_body_at_the_limit_is_read()
    {
        var json = Fixture(Message);
        await using var app = await WebhookApp.StartAsync(o => o.MaxBodyBytes = Encoding.UTF8.GetByteCount(json));
        using var request = Unsigned(json);
        request.Content = new StreamContent(new UnknownLength(Encoding.UTF8.GetBytes(json)));

        var (status, _) = await app.SendAsync(request);

        Assert.Equal(200, status);
        Assert.Single(app.Handled);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task A_get_or_delete_callback_carries_the_signed_event_in_the_event_query_parameter(string method)
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));
        var json = EventJson.WriteString(EventJson.Read(Fixture(CallConnected)).Value!); // compact, as the hub renders it
        var timestamp = app.Time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(new HttpMethod(method), "/hook?event=" + Uri.EscapeDataString(json));
        request.Headers.Add("webhook-id", "00000000-0000-0000-0000-000000000005");
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new WebhookSignature(Secret).Sign("00000000-0000-0000-0000-000000000005", timestamp, json));

        var (status, _) = await app.SendAsync(request);

        Assert.Equal(200, status);
        Assert.IsType<CallData>(Assert.Single(app.Handled).Data);
    }

    [Fact]
    public async Task A_get_without_the_event_parameter_is_refused_with_400()
    {
        await using var app = await WebhookApp.StartAsync();

        var (status, text) = await app.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/hook"));

        Assert.Equal(400, status);
        Assert.StartsWith("the event is missing", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_returned_builder_configures_the_webhook_endpoint()
    {
        await using var app = await WebhookApp.StartAsync(endpoint: hook => hook.RequireHost("hooks.example.org"));

        var (status, _) = await app.SendAsync(Unsigned(Fixture(CallConnected)));

        Assert.Equal(404, status);
        Assert.Empty(app.Handled);
    }

    [Fact]
    public async Task A_secret_that_is_not_a_webhook_secret_stops_the_app_naming_the_setting()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => WebhookApp.StartAsync(o => o.Secrets.Add("whsec_not base64!")));

        Assert.Equal("Switchboard:Webhooks:Secrets:0 is not a webhook secret (whsec_ followed by base64).", Assert.Single(e.Failures));
    }

    [Fact]
    public void Mapping_a_webhook_without_AddSwitchboardWebhooks_says_what_is_missing()
    {
        var app = WebApplication.CreateSlimBuilder().Build();

        var e = Assert.Throws<InvalidOperationException>(() => app.MapSwitchboardWebhook("/hook", (_, _) => Task.CompletedTask));

        Assert.Contains("AddSwitchboardWebhooks()", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A stream that does not know its length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLength(byte[] data) : Stream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
