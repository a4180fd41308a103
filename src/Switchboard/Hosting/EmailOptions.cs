using System.ComponentModel.DataAnnotations;

namespace Switchboard.Hosting;

/// <summary>
/// The SMTP server that EMAIL callbacks and owner notifications go through (section <c>Email</c>;
/// delivery.md, EMAIL callbacks and Deactivation). Without a <see cref="Host"/> the hub sends no e-mail.
/// </summary>
internal sealed class EmailOptions
{
    public const string Section = "Email";

    public static readonly string[] SecurityModes = ["none", "starttls", "tls"];

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary><c>none</c> (plain), <c>starttls</c> (upgrade required), <c>tls</c> (TLS from the first byte).</summary>
    public string Security { get; set; } = "starttls";

    /// <summary>
    /// A certificate file (PEM or DER) to trust for the SMTP server besides the system's roots: the
    /// private CA of an internal relay, or the relay's own self-signed certificate. The name must still match.
    /// </summary>
    public string? TrustedCertificate { get; set; }

    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender of every message, <c>events@example.org</c> or <c>Switchboard &lt;events@example.org&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>Seconds one SMTP conversation may take (connect, send, quit).</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Where owner notifications go when the callback's profile names no <c>support_email</c> (api.md, Profiles)…</summary>
    public string? DefaultSupportAddress { get; set; }

    /// <summary>…unless the account has its own default here, by <c>voip_id</c> (<c>Email:SupportAddresses:1000002=ops@example.org</c>).</summary>
    public Dictionary<string, string> SupportAddresses { get; set; } = [];

    /// <summary>How often pending owner notifications are looked for.</summary>
    public string NotificationInterval { get; set; } = "5s";

    public bool Configured => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>
/// Where the hub is reached from outside, for links in e-mail (the unsubscribe link, the API in
/// notifications). Unset: the address the hub listens on.
/// </summary>
internal sealed class PublicUrlOptions
{
    public string? PublicBaseUrl { get; set; }
}

/// <summary>The endpoints of the built-in applications (section <c>Applications</c>; delivery.md, APPLICATION callbacks).</summary>
internal sealed class ApplicationsOptions
{
    public const string Section = "Applications";

    public GoogleAnalyticsOptions GoogleAnalytics { get; set; } = new();

    public MessagingOptions Messaging { get; set; } = new();
}

internal sealed class GoogleAnalyticsOptions
{
    /// <summary>Base URL of the Measurement Protocol v1 (UA-…): hits go to <c>{Endpoint}/collect</c>.</summary>
    public string Endpoint { get; set; } = "https://www.google-analytics.com";

    /// <summary>Base URL of the GA4 Measurement Protocol (G-…): events go to <c>{Ga4Endpoint}/mp/collect</c>.</summary>
    public string Ga4Endpoint { get; set; } = "https://www.google-analytics.com";
}

internal sealed class MessagingOptions
{
    /// <summary>The operator's messaging gateway: receives <c>POST {"from", "to", "text", "voip_id"}</c>. Unset: no replies can be sent.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer …</c> when set.</summary>
    public string? Token { get; set; }
}
