using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using static Switchboard.Tests.Outbox;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// <c>Email:Security</c> against a real SMTP server that speaks TLS with a certificate made for the test:
/// the hub trusts it only through <c>Email:TrustedCertificate</c>, logs in only inside TLS, and never falls back to plain text.
/// </summary>
public sealed class EmailSecurityTests : IDisposable
{
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";
    private static readonly NetworkCredential Login = new("hub", "s3cret-relay-password");

    private readonly string _folder = Directory.CreateTempSubdirectory("switchboard-smtp-tls").FullName;

    [Theory]
    [InlineData("tls", true)]
    [InlineData("starttls", false)]
    public async Task The_message_goes_over_tls_and_logs_in_with_the_configured_user(string security, bool implicitTls)
    {
        using var certificate = Certificate("127.0.0.1");
        await using var smtp = await SmtpCapture.StartAsync(tls: new SmtpTls(certificate, implicitTls, Login));
        await using var hub = await StartHubAsync(smtp, security, TrustFile(certificate), "--Email:User=hub", $"--Email:Password={Login.Password}");

        await IngestAsync(hub.Producer, ActivityOf(Call));
        var mail = (await smtp.WaitForAsync(1)).Single();
        await DeliveryTests.WaitForStatusAsync(hub.Hub, "delivered", 1);

        Assert.True(mail.Secure, "the session was not encrypted");
        Assert.Equal("hub", mail.User);
        Assert.Equal(["owner@example.org"], mail.RcptTo);
        Assert.Equal(250, (await AttemptsAsync(hub.Hub)).Single().StatusCode);
    }

    [Theory]
    [InlineData("tls", true)]
    [InlineData("starttls", false)]
    public async Task A_certificate_the_hub_does_not_trust_is_refused_and_nothing_is_sent(string security, bool implicitTls)
    {
        using var certificate = Certificate("127.0.0.1");
        await using var smtp = await SmtpCapture.StartAsync(tls: new SmtpTls(certificate, implicitTls));
        await using var hub = await StartHubAsync(smtp, security, trustedCertificate: null);

        await IngestAsync(hub.Producer, ActivityOf(Call));
        var attempt = (await WaitForAttemptsAsync(hub.Hub, 1))[0];

        Assert.StartsWith("SMTP failed: ", attempt.Error, StringComparison.Ordinal);
        Assert.Contains("certificate", attempt.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Null(attempt.StatusCode);
        Assert.Equal(0, smtp.Offered);
    }

    [Fact]
    public async Task A_trusted_certificate_for_another_host_name_is_still_refused()
    {
        using var certificate = Certificate("relay.example.org");
        await using var smtp = await SmtpCapture.StartAsync(tls: new SmtpTls(certificate, Implicit: true));
        await using var hub = await StartHubAsync(smtp, "tls", TrustFile(certificate));

        await IngestAsync(hub.Producer, ActivityOf(Call));
        var attempt = (await WaitForAttemptsAsync(hub.Hub, 1))[0];

        Assert.Contains("certificate", attempt.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, smtp.Offered);
    }

    [Fact]
    public async Task Starttls_mode_does_not_send_in_plain_text_to_a_server_without_starttls()
    {
        await using var smtp = await SmtpCapture.StartAsync();
        await using var hub = await StartHubAsync(smtp, "starttls", trustedCertificate: null);

        await IngestAsync(hub.Producer, ActivityOf(Call));
        var attempt = (await WaitForAttemptsAsync(hub.Hub, 1))[0];

        Assert.Contains("STARTTLS", attempt.Error, StringComparison.Ordinal);
        Assert.Equal(0, smtp.Offered);
    }

    [Fact]
    public async Task A_trusted_certificate_file_that_cannot_be_read_stops_start_up_naming_the_setting()
    {
        var error = new StringWriter();
        var code = await Switchboard.Cli.SwitchboardCommand.Create()
            .Parse(["serve", "--urls", "http://127.0.0.1:0", "--data-dir", Path.Combine(_folder, "data"),
                "--Email:TrustedCertificate=" + Path.Combine(_folder, "missing.pem")])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = new StringWriter(), Error = error });

        Assert.Equal(2, code);
        Assert.Contains("Email:TrustedCertificate", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<MailHub> StartHubAsync(SmtpCapture smtp, string security, string? trustedCertificate, params string[] extra)
    {
        string[] settings =
        [
            "--Email:Host=127.0.0.1", $"--Email:Port={smtp.Port}", $"--Email:Security={security}", "--Email:From=events@hub.test",
            "--Email:TimeoutSeconds=10", "--Delivery:RetrySchedule=1h", .. extra,
        ];
        if (trustedCertificate is not null)
        {
            settings = [.. settings, $"--Email:TrustedCertificate={trustedCertificate}"];
        }
        var hub = await TestHub.StartAsync(null, settings);
        using var account = await hub.ClientAsync(Storage.TokenScope.Account, 1000002);
        await ListenWithAsync(account, """{"config": {"email": "owner@example.org"}}""", "call");
        return new MailHub(hub, await hub.ClientAsync(Storage.TokenScope.Operator));
    }

    /// <summary>The certificate's public part as a PEM file, the way an operator would hand the relay's certificate to the hub.</summary>
    private string TrustFile(X509Certificate2 certificate)
    {
        var path = Path.Combine(_folder, $"{certificate.Thumbprint}.pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>A self-signed server certificate for <paramref name="name"/> (an IP address or a DNS name).</summary>
    private static X509Certificate2 Certificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(name, out var address))
        {
            names.AddIpAddress(address);
        }
        else
        {
            names.AddDnsName(name);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        // Through PKCS#12 so SslStream can use the private key on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private sealed record MailHub(TestHub Hub, HttpClient Producer) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Producer.Dispose();
            await Hub.DisposeAsync();
        }
    }
}
