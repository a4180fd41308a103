using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SmtpServer.Protocol;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Outbox;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>EMAIL callbacks through a real SMTP server (delivery.md, EMAIL callbacks): both modes, unsubscribe, SMTP failures.</summary>
public class EmailDeliveryTests
{
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";

    [Fact]
    public async Task Json_mode_sends_one_well_formed_utf8_message_per_event()
    {
        await using var smtp = await SmtpCapture.StartAsync();
        await using var hub = await TestHub.StartAsync(null, smtp.HubSettings);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var item = await ListenWithAsync(account, """{"config": {"email": "owner@example.org"}}""", "message");
        var activity = ActivityOf("message.json");
        activity["data"]!["message"] = "Grüße aus Köln ☎ — call me";

        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await IngestAsync(producer, activity);
        var mail = (await smtp.WaitForAsync(1)).Single();

        Assert.Equal("events@hub.test", mail.MailFrom);
        Assert.Equal(["owner@example.org"], mail.RcptTo);
        var message = mail.Message;
        Assert.Equal("[Switchboard] message *ms-message 11111111-1111-1111-1111-111111111111", message.Subject);
        Assert.Equal("events@hub.test", message.From.Mailboxes.Single().Address);
        Assert.Equal("Switchboard", message.From.Mailboxes.Single().Name);
        Assert.Equal("owner@example.org", message.To.Mailboxes.Single().Address);
        Assert.InRange(message.Date, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Contains("MIME-Version: 1.0", mail.Raw, StringComparison.Ordinal);
        Assert.Contains("\r\nDate: ", mail.Raw, StringComparison.Ordinal);
        Assert.Contains("\r\nMessage-Id: <", mail.Raw, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);

        var part = Assert.IsType<TextPart>(message.Body);
        Assert.Equal("text/plain", part.ContentType.MimeType);
        Assert.Equal("utf-8", part.ContentType.Charset, ignoreCase: true);
        var body = JsonNode.Parse(part.Text)!.AsObject();
        Assert.Equal($"{body["uuid"]}@hub.test", message.MessageId);
        Assert.Equal(ListenerId(item), body["listener_id"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(activity["data"], body["data"]));
        Assert.Equal("Grüße aus Köln ☎ — call me", body["data"]!["message"]!.GetValue<string>());
        var link = body["unsubscribe_link"]!.GetValue<string>();
        Assert.Matches($"^{Regex(hub.Url)}/callback-unsubscribe/{ListenerId(item)}/[0-9a-f]{{32}}$", link);
        Assert.Equal("unsubscribe_link", body.Last().Key);
        Assert.Equal($"<{link}>", message.Headers["List-Unsubscribe"]);
        Assert.Contains("\n  \"data_type\": \"message\",", part.Text, StringComparison.Ordinal);
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 1);
        var attempt = (await AttemptsAsync(hub)).Single();
        Assert.Equal(("mailto:owner@example.org", 250, (string?)null), (attempt.Url, attempt.StatusCode, attempt.Error));
    }

    [Fact]
    public async Task Text_mode_renders_the_event_like_the_fixture()
    {
        await using var smtp = await SmtpCapture.StartAsync();
        await using var hub = await TestHub.StartAsync(null, smtp.HubSettings);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        // The fixture's listener is 1000: let the next listener get that id.
        await using (var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None))
        {
            await HubConnection.ExecuteAsync(db.Command(TestPostgres.Enabled
                ? "SELECT setval(pg_get_serial_sequence('listeners', 'id'), 999)"
                : "INSERT INTO sqlite_sequence (name, seq) VALUES ('listeners', 999)"), CancellationToken.None);
        }
        var item = await ListenWithAsync(account, """{"config": {"email": "owner@example.org", "mode": "text"}}""", "api-error");
        Assert.Equal(1000, ListenerId(item));
        var (data, timestampNs) = EmailBodyTests.FixtureTextEvent();
        var activity = new JsonObject
        {
            ["voip_id"] = 1000002,
            ["data_type"] = "api-error",
            ["data_object_uuid"] = "11111111-1111-1111-1111-111111111111",
            ["timestamp_ns"] = timestampNs,
            ["data"] = data,
        };

        await IngestAsync(producer, activity);
        var message = (await smtp.WaitForAsync(1)).Single().Message;

        Assert.Equal("[Switchboard] api-error api-error-trusted 11111111-1111-1111-1111-111111111111", message.Subject);
        var lines = message.TextBody!.ReplaceLineEndings("\n").Split('\n');
        var expected = File.ReadAllText(FixturePath("api-error-email-text.txt")).Split('\n');
        Assert.Equal(expected.Length, lines.Length);
        // The event uuid is new for every event; the link's host and token are this hub's.
        Assert.Matches("^UUID: [0-9a-f-]{36}$", lines[0]);
        Assert.Matches($"^Unsubscribe link: {Regex(hub.Url)}/callback-unsubscribe/1000/[0-9a-f]{{32}}$", lines[^1]);
        for (var i = 1; i < expected.Length - 1; i++)
        {
            Assert.True(expected[i] == lines[i], $"line {i + 1}: expected «{expected[i]}», got «{lines[i]}»");
        }
    }

    [Fact]
    public async Task The_unsubscribe_link_stops_email_for_its_listener_only_and_survives_a_restart()
    {
        await using var smtp = await SmtpCapture.StartAsync();
        var hub = await TestHub.StartAsync(null, smtp.HubSettings);
        try
        {
            using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
            using var producer = await hub.ClientAsync(TokenScope.Operator);
            var first = ListenerId(await ListenWithAsync(account, """{"config": {"email": "first@example.org"}}""", "call"));
            var second = ListenerId(await ListenWithAsync(account, """{"config": {"email": "second@example.org"}}""", "call"));
            await IngestAsync(producer, ActivityOf(Call));
            var mails = await smtp.WaitForAsync(2);
            var firstLink = LinkOf(mails.Single(m => m.RcptTo[0] == "first@example.org"));
            var secondLink = LinkOf(mails.Single(m => m.RcptTo[0] == "second@example.org"));
            using var anonymous = new HttpClient();

            var wrongToken = firstLink[..^1] + (firstLink[^1] == '0' ? '1' : '0');
            await ErrorAsync(await anonymous.GetAsync(wrongToken), HttpStatusCode.NotFound);
            var otherListenersToken = $"{hub.Url}/callback-unsubscribe/{first}/{secondLink[^32..]}";
            await ErrorAsync(await anonymous.GetAsync(otherListenersToken), HttpStatusCode.NotFound);
            var page = await anonymous.GetAsync(firstLink);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"no more e-mail for listener {first}", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(firstLink)).StatusCode);

            await IngestAsync(producer, ActivityOf(Call));
            await DeliveryTests.WaitForStatusAsync(hub, "suppressed", 1);
            await smtp.WaitForAsync(3);
            Assert.Equal(["second@example.org"], smtp.Messages.Skip(2).Select(m => m.RcptTo[0]));
            var suppressed = await BodyAsync(await account.GetAsync($"{AccountBase}/listeners/{first}/events?filters[status]=suppressed"));
            Assert.Equal("the e-mail recipient unsubscribed from this listener", Assert.Single(suppressed.GetProperty("items").EnumerateArray()).GetProperty("status_reason").GetString());

            // After a restart the unsubscribe holds, and links sent before it still work.
            var dataDirectory = hub.DataDirectory;
            await hub.DisposeAsync();
            hub = await TestHub.StartAsync(dataDirectory, smtp.HubSettings);
            using var producerAgain = await hub.ClientAsync(TokenScope.Operator);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(hub.Url + new Uri(secondLink).AbsolutePath)).StatusCode);
            await IngestAsync(producerAgain, ActivityOf(Call));
            await DeliveryTests.WaitForStatusAsync(hub, "suppressed", 3);
            Assert.Equal(3, smtp.Messages.Count);
            Assert.Equal(second, ListenerIdOf(smtp.Messages.Last()));
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_refused_smtp_connection_is_retried_until_the_server_is_up()
    {
        var port = SmtpCapture.FreePort();
        await using var hub = await TestHub.StartAsync(null, "--Email:Host=127.0.0.1", $"--Email:Port={port}", "--Email:Security=none",
            "--Email:From=events@hub.test", "--Delivery:RetrySchedule=200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms");
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, """{"config": {"email": "owner@example.org"}}""", "call");

        await IngestAsync(producer, ActivityOf(Call));
        var refused = (await WaitForAttemptsAsync(hub, 1))[0];
        await using var smtp = await SmtpCapture.StartAsync(port);
        await smtp.WaitForAsync(1);
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 1);

        Assert.Equal("connection refused by the SMTP server", refused.Error);
        Assert.Null(refused.StatusCode);
        var attempts = await AttemptsAsync(hub);
        Assert.Equal(250, attempts[^1].StatusCode);
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task Temporary_4xx_replies_are_retried_on_the_schedule()
    {
        await using var smtp = await SmtpCapture.StartAsync();
        await using var hub = await TestHub.StartAsync(null, [.. smtp.HubSettings, "--Delivery:RetrySchedule=50ms,50ms,50ms"]);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, """{"config": {"email": "owner@example.org"}}""", "call");
        smtp.Answer = n => n <= 2 ? new SmtpResponse((SmtpReplyCode)451, "4.3.0 try again later") : null;

        await IngestAsync(producer, ActivityOf(Call));
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 1);

        var attempts = await AttemptsAsync(hub);
        Assert.Equal([451, 451, 250], attempts.Select(a => a.StatusCode));
        Assert.Contains("451", attempts[0].Error, StringComparison.Ordinal);
        Assert.Equal(3, smtp.Offered);
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task A_permanent_5xx_reply_ends_the_attempts_without_disabling_the_callback()
    {
        await using var smtp = await SmtpCapture.StartAsync();
        await using var fallback = await Receiver.StartAsync();
        // A long schedule: a retry would not come within the test.
        await using var hub = await TestHub.StartAsync(null, [.. smtp.HubSettings, "--Delivery:RetrySchedule=1h"]);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var fallbackId = await CreateAsync(account, $"{AccountBase}/callbacks", $$$"""{"config": {"url": "{{{fallback.Url}}}"}}""");
        var withFallback = CallbackId(await ListenWithAsync(account, $$"""{"config": {"email": "gone@example.org"}, "fallback_callback_id": {{fallbackId}}}""", "call"));
        var alone = CallbackId(await ListenWithAsync(account, """{"config": {"email": "gone-too@example.org"}}""", "call"));
        smtp.Answer = _ => new SmtpResponse((SmtpReplyCode)550, "5.1.1 no such mailbox");

        await IngestAsync(producer, ActivityOf(Call));
        await fallback.WaitForEventsAsync(1);
        await DeliveryTests.WaitForStatusAsync(hub, "failed", 1);
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 1);

        var attempts = await AttemptsAsync(hub);
        Assert.Single(attempts, a => a.CallbackId == withFallback);
        Assert.Single(attempts, a => a.CallbackId == alone);
        Assert.All(attempts.Where(a => a.CallbackId != fallbackId), a => Assert.Equal(550, a.StatusCode));
        foreach (var id in new[] { withFallback, alone })
        {
            var callback = await BodyAsync(await account.GetAsync($"{AccountBase}/callbacks/{id}"));
            Assert.True(callback.GetProperty("enabled").GetBoolean());
        }
    }

    [Fact]
    public async Task Without_an_smtp_server_configured_email_events_fail_with_a_clear_error()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=20ms");
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, """{"config": {"email": "owner@example.org"}}""", "call");

        await IngestAsync(producer, ActivityOf(Call));
        await DeliveryTests.WaitForStatusAsync(hub, "failed", 1);

        Assert.All(await AttemptsAsync(hub), a => Assert.Equal("the hub has no SMTP server configured (Email:Host)", a.Error));
    }

    private static string LinkOf(CapturedMail mail) => JsonNode.Parse(mail.Message.TextBody!)!["unsubscribe_link"]!.GetValue<string>();

    private static long ListenerIdOf(CapturedMail mail) => JsonNode.Parse(mail.Message.TextBody!)!["listener_id"]!.GetValue<long>();

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
