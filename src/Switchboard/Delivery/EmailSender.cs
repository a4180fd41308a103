using MimeKit;
using MimeKit.Text;
using Switchboard.Hosting;
using Switchboard.Matching;

namespace Switchboard.Delivery;

/// <summary>
/// Sends one event to an EMAIL callback (delivery.md, EMAIL callbacks): one message per event to
/// <c>config.email</c>, the body in the callback's <c>json</c> or <c>text</c> mode, with the
/// listener's unsubscribe link. The Message-Id is made from the event <c>uuid</c>, so a retried
/// send is recognisable as the same message.
/// </summary>
internal sealed class EmailSender(SmtpMailer mailer, EmailUnsubscribes unsubscribes, PublicUrl publicUrl, TimeProvider clock)
{
    public async Task<AttemptResult> SendAsync(OutboxEvent outboxEvent, IndexedCallback callback, CancellationToken cancellationToken)
    {
        var config = callback.Email!;
        var url = "mailto:" + config.Email;
        var started = clock.GetTimestamp();
        var at = clock.GetUtcNow();
        if (!mailer.Configured)
        {
            return new AttemptResult(false, at.ToUnixTimeMilliseconds(), 0, url, null, "the hub has no SMTP server configured (Email:Host)");
        }
        var message = await ComposeAsync(outboxEvent, config, at, cancellationToken);
        var result = await mailer.SendAsync(message, cancellationToken);
        var elapsed = (int)Math.Min(int.MaxValue, clock.GetElapsedTime(started).TotalMilliseconds);
        return new AttemptResult(result.Success, at.ToUnixTimeMilliseconds(), elapsed, url, result.StatusCode, result.Error) { Permanent = result.Permanent };
    }

    public async Task<MimeMessage> ComposeAsync(OutboxEvent outboxEvent, EmailCallbackConfig config, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var link = publicUrl.Unsubscribe(outboxEvent.ListenerId, await unsubscribes.TokenAsync(outboxEvent.ListenerId, cancellationToken));
        var json = EventRenderer.Render(outboxEvent);
        var body = config.Mode == "text" ? EmailBody.Text(json, link) : EmailBody.Json(json, link);
        var from = mailer.From;
        var part = new TextPart(TextFormat.Plain);
        part.SetText("utf-8", body);
        var message = new MimeMessage
        {
            Subject = EmailBody.Subject(outboxEvent.Activity),
            Date = at,
            MessageId = $"{outboxEvent.Uuid}@{Domain(from)}",
            Body = part,
        };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(config.Email));
        // RFC 2369: mail clients offer the link as their own unsubscribe button. RFC 3834: this is
        // machine mail, so auto-responders do not answer it.
        message.Headers.Add("List-Unsubscribe", $"<{link}>");
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
    }

    private static string Domain(MailboxAddress address) =>
        address.Domain is { Length: > 0 } domain ? domain : "switchboard.invalid";
}
