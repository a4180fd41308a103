using System.Text;

namespace Switchboard.Events.Tests;

public class WebhookSignatureTests
{
    // The test vector published with the Standard Webhooks specification.
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string MessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Payload = "{\"test\": 2432232314}";
    private const string Expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly DateTimeOffset AtTimestamp = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    private static SignatureCheck Verify(string? id = MessageId, string? timestamp = "1614265330", string? signature = Expected, string body = Payload, DateTimeOffset? now = null, string secret = Secret) =>
        new WebhookSignature(secret).Verify(id, timestamp, signature, body, now ?? AtTimestamp);

    [Fact]
    public void Signing_reproduces_the_published_test_vector() =>
        Assert.Equal(Expected, new WebhookSignature(Secret).Sign(MessageId, Timestamp, Payload));

    [Fact]
    public void The_published_test_vector_verifies() => Assert.Equal(SignatureCheck.Valid, Verify());

    [Fact]
    public void A_changed_body_id_or_timestamp_fails()
    {
        Assert.Equal(SignatureCheck.NoMatchingSignature, Verify(body: "{\"test\": 2432232315}"));
        Assert.Equal(SignatureCheck.NoMatchingSignature, Verify(id: "msg_other"));
        Assert.Equal(SignatureCheck.NoMatchingSignature, Verify(timestamp: "1614265331"));
    }

    [Fact]
    public void A_wrong_secret_fails() =>
        Assert.Equal(SignatureCheck.NoMatchingSignature, Verify(secret: WebhookSignature.GenerateSecret()));

    [Fact]
    public void Timestamps_outside_the_tolerance_fail()
    {
        Assert.Equal(SignatureCheck.Valid, Verify(now: AtTimestamp.AddMinutes(4)));
        Assert.Equal(SignatureCheck.TooOld, Verify(now: AtTimestamp.AddMinutes(6)));
        Assert.Equal(SignatureCheck.TooNew, Verify(now: AtTimestamp.AddMinutes(-6)));
        Assert.Equal(SignatureCheck.Valid, new WebhookSignature(Secret).Verify(MessageId, "1614265330", Expected, Payload, AtTimestamp.AddHours(1), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void One_matching_signature_among_several_passes()
    {
        var header = $"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1a,anything {Expected}";

        Assert.Equal(SignatureCheck.Valid, Verify(signature: header));
    }

    [Theory]
    [InlineData(null, "1614265330", Expected, SignatureCheck.MissingHeader)]
    [InlineData(MessageId, null, Expected, SignatureCheck.MissingHeader)]
    [InlineData(MessageId, "1614265330", null, SignatureCheck.MissingHeader)]
    [InlineData(MessageId, "", Expected, SignatureCheck.MissingHeader)]
    [InlineData(MessageId, "yesterday", Expected, SignatureCheck.InvalidTimestamp)]
    [InlineData(MessageId, "-1614265330", Expected, SignatureCheck.InvalidTimestamp)]
    [InlineData(MessageId, "99999999999999999999999", Expected, SignatureCheck.InvalidTimestamp)]
    [InlineData(MessageId, "1614265330", "v1,not base64!!", SignatureCheck.NoMatchingSignature)]
    [InlineData(MessageId, "1614265330", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", SignatureCheck.NoMatchingSignature)]
    [InlineData(MessageId, "1614265330", "v1,", SignatureCheck.NoMatchingSignature)]
    public void Missing_or_garbled_headers_fail_with_the_reason(string? id, string? timestamp, string? signature, SignatureCheck expected) =>
        Assert.Equal(expected, Verify(id, timestamp, signature));

    [Fact]
    public void Secrets_are_whsec_base64_and_bare_base64_is_accepted()
    {
        var generated = WebhookSignature.GenerateSecret();

        Assert.StartsWith("whsec_", generated, StringComparison.Ordinal);
        Assert.True(WebhookSignature.IsValidSecret(generated));
        Assert.Equal(Expected, new WebhookSignature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").Sign(MessageId, Timestamp, Encoding.UTF8.GetBytes(Payload)));
        Assert.False(WebhookSignature.IsValidSecret("whsec_not base64"));
        Assert.False(WebhookSignature.IsValidSecret("whsec_"));
        Assert.Throws<ArgumentException>(() => new WebhookSignature("whsec_***"));
    }
}
