using static Switchboard.Events.AspNetCore.Tests.Deliveries;

namespace Switchboard.Events.AspNetCore.Tests;

/// <summary>Standard Webhooks signatures at the endpoint: what is accepted, what is refused with 401.</summary>
public class SignatureTests
{
    private static readonly string Secret = WebhookSignature.GenerateSecret();

    [Fact]
    public async Task A_signed_event_reaches_the_handler_as_a_typed_event()
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));

        var (status, _) = await app.SendAsync(Signed(Fixture(CallConnected), Secret, app.Time.GetUtcNow()));

        Assert.Equal(200, status);
        var handled = Assert.Single(app.Handled);
        Assert.Equal("00000000-0000-0000-0000-000000000005", handled.Uuid);
        var call = Assert.IsType<CallData>(handled.Data);
        Assert.Equal(LegState.Connected, call.EventLeg.State);
        Assert.Equal(500, call.EventLeg.To.Extension);
        Assert.Equal("+15550000001", call.EventLeg.From.Id.Text);
    }

    [Fact]
    public async Task A_signature_under_another_secret_is_refused_with_401_and_the_handler_is_not_called()
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));

        var (status, text) = await app.SendAsync(Signed(Fixture(CallConnected), WebhookSignature.GenerateSecret(), app.Time.GetUtcNow()));

        Assert.Equal(401, status);
        Assert.StartsWith("invalid signature: webhook-signature does not match", text, StringComparison.Ordinal);
        Assert.Empty(app.Handled);
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_refused_with_401()
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));
        var json = Fixture(CallConnected);
        using var request = Signed(json, Secret, app.Time.GetUtcNow());
        request.Content = new StringContent(json.Replace("+15550000001", "+15550000009", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");

        var (status, _) = await app.SendAsync(request);

        Assert.Equal(401, status);
        Assert.Empty(app.Handled);
    }

    [Theory]
    [InlineData(-301, "stale signature")]
    [InlineData(-3600, "stale signature")]
    [InlineData(301, "invalid signature: webhook-timestamp is more than 300 s in the future")]
    public async Task A_timestamp_outside_five_minutes_is_refused_with_401(int secondsFromNow, string expected)
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));

        var (status, text) = await app.SendAsync(Signed(Fixture(CallConnected), Secret, app.Time.GetUtcNow().AddSeconds(secondsFromNow)));

        Assert.Equal(401, status);
        Assert.StartsWith(expected, text, StringComparison.Ordinal);
        Assert.Empty(app.Handled);
    }

    [Fact]
    public async Task A_timestamp_inside_the_tolerance_is_accepted()
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));

        var (status, _) = await app.SendAsync(Signed(Fixture(CallConnected), Secret, app.Time.GetUtcNow().AddSeconds(-290)));

        Assert.Equal(200, status);
        Assert.Single(app.Handled);
    }

    [Fact]
    public async Task The_tolerance_is_configurable()
    {
        await using var app = await WebhookApp.StartAsync(o =>
        {
            o.Secrets.Add(Secret);
            o.Tolerance = TimeSpan.FromSeconds(30);
        });

        var (status, text) = await app.SendAsync(Signed(Fixture(CallConnected), Secret, app.Time.GetUtcNow().AddSeconds(-60)));

        Assert.Equal(401, status);
        Assert.StartsWith("stale signature: webhook-timestamp is more than 30 s in the past", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("webhook-id")]
    [InlineData("webhook-timestamp")]
    [InlineData("webhook-signature")]
    public async Task A_missing_signature_header_is_refused_with_401_naming_it(string header)
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));
        using var request = Signed(Fixture(CallConnected), Secret, app.Time.GetUtcNow());
        request.Headers.Remove(header);

        var (status, text) = await app.SendAsync(request);

        Assert.Equal(401, status);
        Assert.Equal($"missing signature: no {header} header\n", text);
        Assert.Empty(app.Handled);
    }

    [Fact]
    public async Task An_unsigned_event_is_refused_when_a_secret_is_configured()
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));

        var (status, text) = await app.SendAsync(Unsigned(Fixture(CallConnected)));

        Assert.Equal(401, status);
        Assert.Equal("missing signature: no webhook-timestamp, webhook-signature headers\n", text);
        Assert.Empty(app.Handled);
    }

    [Fact]
    public async Task Without_a_secret_unsigned_events_are_accepted()
    {
        await using var app = await WebhookApp.StartAsync();

        var (status, _) = await app.SendAsync(Unsigned(Fixture(Message)));

        Assert.Equal(200, status);
        var message = Assert.IsType<MessageData>(Assert.Single(app.Handled).Data);
        Assert.Equal(MessageType.Mms, message.Type);
    }

    [Fact]
    public async Task Either_of_two_secrets_is_accepted_while_a_secret_is_rotated()
    {
        var next = WebhookSignature.GenerateSecret();
        await using var app = await WebhookApp.StartAsync(o =>
        {
            o.Secrets.Add(Secret);
            o.Secrets.Add(next);
        });

        var (old, _) = await app.SendAsync(Signed(Fixture(CallConnected, NewUuid()), Secret, app.Time.GetUtcNow()));
        var (rotated, _) = await app.SendAsync(Signed(Fixture(CallConnected, NewUuid()), next, app.Time.GetUtcNow()));
        var (other, _) = await app.SendAsync(Signed(Fixture(CallConnected, NewUuid()), WebhookSignature.GenerateSecret(), app.Time.GetUtcNow()));

        Assert.Equal((200, 200, 401), (old, rotated, other));
        Assert.Equal(2, app.Handled.Count);
    }

    [Fact]
    public async Task The_secret_can_come_from_configuration()
    {
        await using var app = await WebhookApp.StartAsync(settings: new Dictionary<string, string?> { ["Switchboard:Webhooks:Secrets:0"] = Secret });

        var (unsigned, _) = await app.SendAsync(Unsigned(Fixture(CallConnected, NewUuid())));
        var (signed, _) = await app.SendAsync(Signed(Fixture(CallConnected, NewUuid()), Secret, app.Time.GetUtcNow()));

        Assert.Equal((401, 200), (unsigned, signed));
        Assert.Single(app.Handled);
    }
}
