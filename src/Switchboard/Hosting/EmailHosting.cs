using System.Globalization;
using MimeKit;
using Switchboard.Delivery;

namespace Switchboard.Hosting;

/// <summary>E-mail and application delivery: their options (checked at start), senders and the notification sender.</summary>
internal static class EmailHosting
{
    public static WebApplicationBuilder AddEmailAndApplications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations()
            .Validate(o => EmailOptions.SecurityModes.Contains(o.Security), "Email:Security must be none, starttls or tls")
            .Validate(o => !o.Configured || IsMailbox(o.From), "Email:From must be an e-mail address when Email:Host is set")
            .Validate(o => string.IsNullOrWhiteSpace(o.TrustedCertificate) || SmtpTrust.CanLoad(o.TrustedCertificate), "Email:TrustedCertificate must name a readable PEM or DER certificate file")
            .Validate(o => string.IsNullOrEmpty(o.Password) || !string.IsNullOrEmpty(o.User), "Email:Password needs Email:User")
            .Validate(o => string.IsNullOrWhiteSpace(o.DefaultSupportAddress) || IsMailbox(o.DefaultSupportAddress), "Email:DefaultSupportAddress must be an e-mail address")
            .Validate(o => o.SupportAddresses.All(a => long.TryParse(a.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _) && IsMailbox(a.Value)),
                "Email:SupportAddresses must map account ids (voip_id) to e-mail addresses")
            .Validate(o => Durations.TryParse(o.NotificationInterval, out var every) && every > TimeSpan.Zero, "Email:NotificationInterval must be a duration such as 5s")
            .ValidateOnStart();
        services.AddOptions<PublicUrlOptions>().Bind(builder.Configuration)
            .Validate(o => string.IsNullOrWhiteSpace(o.PublicBaseUrl) || IsHttpUrl(o.PublicBaseUrl), "PublicBaseUrl must be an absolute http or https URL")
            .ValidateOnStart();
        services.AddOptions<ApplicationsOptions>().BindConfiguration(ApplicationsOptions.Section)
            .Validate(o => IsHttpUrl(o.GoogleAnalytics.Endpoint), "Applications:GoogleAnalytics:Endpoint must be an absolute http or https URL")
            .Validate(o => IsHttpUrl(o.GoogleAnalytics.Ga4Endpoint), "Applications:GoogleAnalytics:Ga4Endpoint must be an absolute http or https URL")
            .Validate(o => string.IsNullOrWhiteSpace(o.Messaging.Endpoint) || IsHttpUrl(o.Messaging.Endpoint), "Applications:Messaging:Endpoint must be an absolute http or https URL")
            .ValidateOnStart();

        services.AddSingleton<PublicUrl>();
        services.AddSingleton<SmtpMailer>();
        services.AddSingleton<EmailUnsubscribes>();
        services.AddSingleton<EmailSender>();
        services.AddSingleton<ApplicationSender>();
        services.AddHostedService<NotificationSender>();
        return builder;
    }

    private static bool IsMailbox(string? text) => !string.IsNullOrWhiteSpace(text) && MailboxAddress.TryParse(text, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal);

    private static bool IsHttpUrl(string? text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
