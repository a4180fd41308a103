using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Delivery;

/// <summary>
/// Decides whether the SMTP server's certificate is good enough: the system's verdict, or, with
/// <c>Email:TrustedCertificate</c>, a chain that ends at that certificate. A wrong host name is never forgiven.
/// </summary>
internal sealed class SmtpTrust(string? trustedCertificatePath)
{
    private readonly X509Certificate2? _trusted = string.IsNullOrWhiteSpace(trustedCertificatePath) ? null : Load(trustedCertificatePath);

    public static bool CanLoad(string path)
    {
        try
        {
            Load(path).Dispose();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return false;
        }
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (_trusted is null || certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        using var presented = new X509Certificate2(certificate);
        return custom.Build(presented);
    }

    private static X509Certificate2 Load(string path) => X509CertificateLoader.LoadCertificateFromFile(path);
}
