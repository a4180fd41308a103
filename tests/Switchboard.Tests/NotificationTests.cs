using System.Text.RegularExpressions;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Outbox;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>Owner notifications by e-mail (delivery.md, Deactivation and profiles).</summary>
public class NotificationTests
{
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";

    [Fact]
    public async Task The_profile_is_told_when_a_callback_starts_failing_and_when_it_is_disabled()
    {
        await using var smtp = await SmtpCapture.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await using var hub = await TestHub.StartAsync(null, [.. smtp.HubSettings, "--Email:NotificationInterval=50ms",
            "--Delivery:RetrySchedule=20ms", "--Delivery:DeactivateAfter=0s", "--Delivery:DeactivateAfterExhausted=2"]);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var profile = await CreateAsync(account, $"{AccountBase}/profiles", """{"name": "Ops", "support_email": "ops@example.org"}""");
        var callbackId = CallbackId(await ListenWithAsync(account, $$$"""{"name": "Orders hook", "profile_id": {{{profile}}}, "config": {"url": "{{{receiver.Url}}}"}}""", "call"));

        receiver.Status = 500;

        await IngestAsync(producer, ActivityOf(Call));
        var failing = (await smtp.WaitForAsync(1)).Single();
        await IngestAsync(producer, ActivityOf(Call));
        var disabled = (await smtp.WaitForAsync(2))[1];
        await WaitForNotificationsSentAsync(hub, 2);

        Assert.Equal(["ops@example.org"], failing.RcptTo);
        Assert.Equal($"[Switchboard] callback {callbackId} \"Orders hook\" is failing", failing.Message.Subject);
        Assert.Equal($"[Switchboard] callback {callbackId} \"Orders hook\" was disabled", disabled.Message.Subject);
        foreach (var mail in new[] { failing, disabled })
        {
            var text = mail.Message.TextBody!;
            Assert.Contains($"Callback:  {callbackId} \"Orders hook\" (HTTP {receiver.Url})", text, StringComparison.Ordinal);
            Assert.Matches(@"\n  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  " + Regex.Escape(receiver.Url) + "  answered 500 Internal Server Error", text);
            Assert.Contains($"curl -X PATCH {hub.Url}{AccountBase}/callbacks/{callbackId}", text, StringComparison.Ordinal);
            Assert.Contains("-d '{\"enabled\": true}'", text, StringComparison.Ordinal);
            Assert.Contains($"profile {profile} \"Ops\"", text, StringComparison.Ordinal);
            Assert.Equal("utf-8", mail.Message.BodyParts.Single().ContentType.Charset, ignoreCase: true);
            Assert.False(string.IsNullOrEmpty(mail.Message.MessageId));
        }
        Assert.Contains("Why:       an event ran out of attempts; last error: answered 500", failing.Message.TextBody!, StringComparison.Ordinal);
        Assert.Contains("it is still enabled", failing.Message.TextBody!, StringComparison.Ordinal);
        Assert.Contains("Why:       every attempt has failed", disabled.Message.TextBody!, StringComparison.Ordinal);
        Assert.Contains("it was disabled", disabled.Message.TextBody!, StringComparison.Ordinal);
        // Two errors of the first event before the warning; four of both events before the deactivation.
        var errorLine = "Z  " + Regex.Escape(receiver.Url) + "  answered 500";
        Assert.Equal(2, Regex.Matches(failing.Message.TextBody!, errorLine).Count);
        Assert.Equal(4, Regex.Matches(disabled.Message.TextBody!, errorLine).Count);
    }

    [Fact]
    public async Task Without_a_support_email_the_accounts_configured_address_is_used_and_with_none_the_notice_is_only_logged()
    {
        await using var smtp = await SmtpCapture.StartAsync();
        await using var gone = await Receiver.StartAsync();
        await using var hub = await TestHub.StartAsync(null, [.. smtp.HubSettings, "--Email:NotificationInterval=50ms",
            "--Email:SupportAddresses:1000002=noc@example.org"]);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var other = await hub.ClientAsync(TokenScope.Account, 2000003);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var profile = await CreateAsync(account, $"{AccountBase}/profiles", """{"name": "No address", "support_email": null}""");
        await ListenWithAsync(account, $$$"""{"profile_id": {{{profile}}}, "config": {"url": "{{{gone.Url}}}"}}""", "call");
        await ExpectAsync(await other.PostAsync($"{OtherAccountBase}/overview", Json($$$"""{":callback": {"config": {"url": "{{{gone.Url}}}"}}, ":subscriptions": [{":tags": ["call"]}]}""")), System.Net.HttpStatusCode.Created);
        gone.Status = 410;

        await IngestAsync(producer, ActivityOf(Call));
        await IngestAsync(producer, ActivityOf(Call, voipId: 2000003));
        await WaitForNotificationsSentAsync(hub, 2);

        var mail = Assert.Single(smtp.Messages);
        Assert.Equal(["noc@example.org"], mail.RcptTo);
        Assert.Contains("as the notification address of account 1000002: the callback's profile names no support address.", mail.Message.TextBody!, StringComparison.Ordinal);
        Assert.Contains("answered 410", mail.Message.TextBody!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operators_default_address_is_the_last_resort()
    {
        await using var smtp = await SmtpCapture.StartAsync();
        await using var gone = await Receiver.StartAsync();
        await using var hub = await TestHub.StartAsync(null, [.. smtp.HubSettings, "--Email:NotificationInterval=50ms",
            "--Email:DefaultSupportAddress=hub-admin@example.org"]);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, $$$"""{"config": {"url": "{{{gone.Url}}}"}}""", "call");
        gone.Status = 410;

        await IngestAsync(producer, ActivityOf(Call));

        var mail = (await smtp.WaitForAsync(1)).Single();
        Assert.Equal(["hub-admin@example.org"], mail.RcptTo);
        Assert.Contains("as the hub's default notification address", mail.Message.TextBody!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notice_waits_while_the_smtp_server_is_down_and_is_sent_when_it_is_back()
    {
        var port = SmtpCapture.FreePort();
        await using var gone = await Receiver.StartAsync();
        await using var hub = await TestHub.StartAsync(null, "--Email:Host=127.0.0.1", $"--Email:Port={port}", "--Email:Security=none",
            "--Email:From=events@hub.test", "--Email:DefaultSupportAddress=ops@example.org", "--Email:NotificationInterval=50ms");
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenWithAsync(account, $$$"""{"config": {"url": "{{{gone.Url}}}"}}""", "call");
        gone.Status = 410;

        await IngestAsync(producer, ActivityOf(Call));
        await WaitForNotificationRecordedAsync(hub);
        await Task.Delay(300);
        Assert.Equal([("deactivated", false)], await NotificationsAsync(hub));

        await using var smtp = await SmtpCapture.StartAsync(port);
        await smtp.WaitForAsync(1);
        await WaitForNotificationsSentAsync(hub, 1);
        Assert.Single(smtp.Messages);
    }

    private static async Task WaitForNotificationRecordedAsync(TestHub hub)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await NotificationsAsync(hub)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no notification was recorded");
            await Task.Delay(25);
        }
    }
}
