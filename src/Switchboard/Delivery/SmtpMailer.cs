using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Switchboard.Hosting;

namespace Switchboard.Delivery;

/// <summary>
/// What one SMTP conversation came to. <see cref="Permanent"/>: the server refused with a 5xx
/// reply, so sending the same message again would only be refused again.
/// </summary>
internal sealed record MailResult(bool Success, int? StatusCode, string? Error, bool Permanent = false);

/// <summary>
/// Sends messages through the operator's SMTP server (section <c>Email</c>): one connection per
/// message, so a server restart or an idle timeout never fails a send that a fresh connection
/// would make. E-mail volumes of event hubs are small; a pool would buy little.
/// </summary>
internal sealed class SmtpMailer(IOptions<EmailOptions> options)
{
    private readonly SmtpTrust _trust = new(options.Value.TrustedCertificate);

    public bool Configured => options.Value.Configured;

    public EmailOptions Options => options.Value;

    /// <summary>The sender of every message (<c>Email:From</c>, checked at start whenever <c>Email:Host</c> is set).</summary>
    public MailboxAddress From => MailboxAddress.Parse(options.Value.From!);

    /// <summary>Where an attempt went, for the delivery log.</summary>
    public string Server => $"smtp://{options.Value.Host}:{options.Value.Port}";

    public async Task<MailResult> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Configured)
        {
            return new MailResult(false, null, "the hub has no SMTP server configured (Email:Host)");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        using var client = new SmtpClient { Timeout = settings.TimeoutSeconds * 1000, ServerCertificateValidationCallback = _trust.Validate };
        try
        {
            await client.ConnectAsync(settings.Host!, settings.Port, Security(settings.Security), timeout.Token);
            if (!string.IsNullOrEmpty(settings.User))
            {
                await client.AuthenticateAsync(settings.User, settings.Password ?? "", timeout.Token);
            }
            await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(quit: true, timeout.Token);
            return new MailResult(true, 250, null);
        }
        catch (SmtpCommandException e)
        {
            // delivery.md: 4xx replies are retried like HTTP failures; a 5xx refusal is final.
            var code = (int)e.StatusCode;
            return new MailResult(false, code, $"SMTP server answered {code}: {e.Message}", code is >= 500 and < 600);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new MailResult(false, null, $"the SMTP server did not finish within {settings.TimeoutSeconds} s");
        }
        catch (SocketException e)
        {
            return new MailResult(false, null, e.SocketErrorCode == SocketError.ConnectionRefused
                ? "connection refused by the SMTP server"
                : $"could not reach the SMTP server: {e.Message}");
        }
        catch (Exception e) when (e is SslHandshakeException or AuthenticationException or SmtpProtocolException or ServiceNotConnectedException
            or ServiceNotAuthenticatedException or IOException or TimeoutException or NotSupportedException)
        {
            return new MailResult(false, null, "SMTP failed: " + e.Message.ReplaceLineEndings(" "));
        }
    }

    private static SecureSocketOptions Security(string mode) => mode switch
    {
        "none" => SecureSocketOptions.None,
        "tls" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}
