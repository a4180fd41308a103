using System.Globalization;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// Sends the owner notifications that <see cref="OutboxWriter"/> records (delivery.md,
/// Deactivation and profiles) by e-mail to the profile's <c>support_email</c>, else the account's
/// default address from configuration, and marks each sent. While the SMTP server fails, the
/// notifications wait in storage and are tried again later, less and less often.
/// </summary>
internal sealed partial class NotificationSender(
    HubDatabase database,
    SmtpMailer mailer,
    PublicUrl publicUrl,
    IOptions<EmailOptions> options,
    IOptions<DeliveryOptions> delivery,
    TimeProvider clock,
    ILogger<NotificationSender> logger) : BackgroundService
{
    private const int LastErrors = 5;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(10);

    // Long enough to send a hundred notices through a slow SMTP server; a node that dies meanwhile leaves them to another after it.
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = Durations.TryParse(options.Value.NotificationInterval, out var every) ? every : TimeSpan.FromSeconds(5);
        var wait = interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(wait, clock, stoppingToken);
            try
            {
                wait = await SendPendingAsync(stoppingToken) ? interval : Min(wait * 2, MaxBackoff);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
                wait = Min(wait * 2, MaxBackoff);
            }
        }
    }

    /// <summary>Sends what is pending; false when the SMTP server failed and the rest must wait.</summary>
    private async Task<bool> SendPendingAsync(CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var pending = await NotificationTable.ClaimAsync(db, now, now + (long)ClaimFor.TotalMilliseconds, cancellationToken);
        for (var i = 0; i < pending.Count; i++)
        {
            var notice = pending[i];
            var profile = notice.ProfileId is { } profileId ? await ProfileTable.FindAsync(db, profileId, cancellationToken) : null;
            var (to, why) = Recipient(profile, notice.VoipId);
            if (to is null || !mailer.Configured)
            {
                LogNotSent(logger, notice.Kind, notice.CallbackId, notice.VoipId, to is null ? "no support_email and no default address (Email:DefaultSupportAddress)" : "no SMTP server (Email:Host)");
                await MarkSentAsync(db, notice.Id, cancellationToken);
                continue;
            }
            var callback = await CallbackTable.FindAsync(db, notice.CallbackId, cancellationToken);
            var errors = await AttemptTable.LastFailedAsync(db, notice.CallbackId, notice.CreatedAt, LastErrors, cancellationToken);
            var rule = $"every attempt keeps failing for {delivery.Value.DeactivateAfter} with at least {delivery.Value.DeactivateAfterExhausted} events running out of attempts";
            var body = new TextPart(TextFormat.Plain);
            body.SetText("utf-8", OwnerNotice.Body(notice, callback, why, errors, publicUrl.Base, rule));
            var message = new MimeMessage
            {
                Subject = OwnerNotice.Subject(notice, callback),
                Date = clock.GetUtcNow(),
                MessageId = $"notification-{notice.Id}-{notice.CreatedAt.ToString(CultureInfo.InvariantCulture)}@{(mailer.From.Domain is { Length: > 0 } domain ? domain : "switchboard.invalid")}",
                Body = body,
            };
            message.From.Add(mailer.From);
            message.To.Add(MailboxAddress.Parse(to));
            message.Headers.Add("Auto-Submitted", "auto-generated");
            var result = await mailer.SendAsync(message, cancellationToken);
            if (result.Success || result.Permanent)
            {
                if (!result.Success)
                {
                    LogRefused(logger, notice.Kind, notice.CallbackId, to, result.Error);
                }
                await MarkSentAsync(db, notice.Id, cancellationToken);
                continue;
            }
            LogRetrying(logger, notice.Kind, notice.CallbackId, result.Error);
            await NotificationTable.ReleaseAsync(db, pending.Skip(i).Select(n => n.Id), cancellationToken);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Where the notice goes, and the line that tells the reader why they got it. api.md, Profiles:
    /// without a <c>support_email</c>, the account's default address from server configuration,
    /// which is the account's own (Email:SupportAddresses) or else the hub's (Email:DefaultSupportAddress).
    /// </summary>
    private (string? Address, string Why) Recipient(Profile? profile, long voipId)
    {
        if (profile?.SupportEmail is { } support)
        {
            return (support, $"You get this message as the support address of profile {profile.Id} \"{profile.Name}\".");
        }
        if (options.Value.SupportAddresses.GetValueOrDefault(voipId.ToString(CultureInfo.InvariantCulture)) is { Length: > 0 } address)
        {
            return (address, $"You get this message as the notification address of account {voipId}: the callback's profile names no support address.");
        }
        return string.IsNullOrWhiteSpace(options.Value.DefaultSupportAddress)
            ? (null, "")
            : (options.Value.DefaultSupportAddress, "You get this message as the hub's default notification address: neither the callback's profile nor the hub's settings name one for this account.");
    }

    private Task<int> MarkSentAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        NotificationTable.MarkSentAsync(db, id, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Owner notification ({Kind}) of callback {CallbackId} of account {VoipId} not sent: {Why}")]
    private static partial void LogNotSent(ILogger logger, string kind, long callbackId, long voipId, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Owner notification ({Kind}) of callback {CallbackId} refused for {To}: {Error}")]
    private static partial void LogRefused(ILogger logger, string kind, long callbackId, string to, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Owner notification ({Kind}) of callback {CallbackId} waits: {Error}")]
    private static partial void LogRetrying(ILogger logger, string kind, long callbackId, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not send owner notifications; trying again later")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
