using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Events;

/// <summary>
/// Standard Webhooks signatures (delivery.md, HTTP callbacks): <c>webhook-signature</c> is a
/// space-separated list of <c>v1,</c> + base64 HMAC-SHA256 of <c>{webhook-id}.{webhook-timestamp}.{body}</c>,
/// keyed by the secret (<c>whsec_</c> + base64 key bytes).
/// </summary>
public sealed class WebhookSignature
{
    /// <summary>The prefix of a Standard Webhooks secret.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>How far a timestamp may be from now before it is refused, when no tolerance is given.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private readonly byte[] _key;

    /// <summary>A signer and verifier for one secret (<c>whsec_…</c>, or bare base64).</summary>
    /// <exception cref="ArgumentException">The secret is not base64 after its prefix.</exception>
    public WebhookSignature(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        try
        {
            _key = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            throw new ArgumentException("A webhook secret is whsec_ followed by base64.", nameof(secret));
        }
        if (_key.Length == 0)
        {
            throw new ArgumentException("A webhook secret must not be empty.", nameof(secret));
        }
    }

    /// <summary>A new random secret: <c>whsec_</c> + base64 of 32 random bytes.</summary>
    public static string GenerateSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>True when the text is a usable secret.</summary>
    public static bool IsValidSecret(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return false;
        }
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        Span<byte> buffer = stackalloc byte[encoded.Length];
        return Convert.TryFromBase64String(encoded, buffer, out var written) && written > 0;
    }

    /// <summary>The <c>webhook-signature</c> value for one message: <c>v1,</c> + base64 HMAC.</summary>
    public string Sign(string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(messageId, timestamp.ToString(CultureInfo.InvariantCulture), body, mac);
        return "v1," + Convert.ToBase64String(mac);
    }

    /// <summary>The <c>webhook-signature</c> value for a text body (UTF-8).</summary>
    public string Sign(string messageId, long timestamp, string body) => Sign(messageId, timestamp, Encoding.UTF8.GetBytes(body));

    /// <summary>
    /// Checks the three headers against the body at <paramref name="now"/>. Never throws for bad
    /// input: the result says why verification failed.
    /// </summary>
    public SignatureCheck Verify(string? messageId, string? timestamp, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(messageId) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatureHeader))
        {
            return SignatureCheck.MissingHeader;
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SignatureCheck.InvalidTimestamp;
        }
        var allowed = (long)(tolerance ?? DefaultTolerance).TotalSeconds;
        var nowSeconds = now.ToUnixTimeSeconds();
        if (seconds < nowSeconds - allowed)
        {
            return SignatureCheck.TooOld;
        }
        if (seconds > nowSeconds + allowed)
        {
            return SignatureCheck.TooNew;
        }
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(messageId, timestamp, body, expected);
        Span<byte> given = stackalloc byte[64];
        foreach (var part in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Other versions (v1a, …) may stand beside v1 in one header; they are not ours to check.
            if (part.StartsWith("v1,", StringComparison.Ordinal)
                && Convert.TryFromBase64String(part[3..], given, out var written)
                && CryptographicOperations.FixedTimeEquals(given[..written], expected))
            {
                return SignatureCheck.Valid;
            }
        }
        return SignatureCheck.NoMatchingSignature;
    }

    /// <summary>Verification of a text body (UTF-8).</summary>
    public SignatureCheck Verify(string? messageId, string? timestamp, string? signatureHeader, string body, DateTimeOffset now, TimeSpan? tolerance = null) =>
        Verify(messageId, timestamp, signatureHeader, Encoding.UTF8.GetBytes(body ?? ""), now, tolerance);

    /// <summary>Verification against the current time of <paramref name="time"/>.</summary>
    public SignatureCheck Verify(string? messageId, string? timestamp, string? signatureHeader, ReadOnlySpan<byte> body, TimeProvider time, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        return Verify(messageId, timestamp, signatureHeader, body, time.GetUtcNow(), tolerance);
    }

    private void ComputeMac(string messageId, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(Encoding.UTF8.GetBytes(messageId));
        hmac.AppendData("."u8);
        hmac.AppendData(Encoding.UTF8.GetBytes(timestamp));
        hmac.AppendData("."u8);
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }
}

/// <summary>The outcome of checking a signed webhook.</summary>
public enum SignatureCheck
{
    /// <summary>A signature in the header matches.</summary>
    Valid,

    /// <summary>webhook-id, webhook-timestamp or webhook-signature is missing or empty.</summary>
    MissingHeader,

    /// <summary>webhook-timestamp is not a whole number of seconds.</summary>
    InvalidTimestamp,

    /// <summary>The timestamp is older than the tolerance allows (a replay, or a slow clock).</summary>
    TooOld,

    /// <summary>The timestamp is further in the future than the tolerance allows.</summary>
    TooNew,

    /// <summary>No v1 signature in the header matches the body under this secret.</summary>
    NoMatchingSignature,
}
