using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Switchboard.Hosting;

namespace Switchboard.Api;

/// <summary>
/// api.md's <c>429</c> (Request limits): a token bucket per account or extension token
/// (<c>Api:RequestsPerSecond</c>, <c>Api:RequestBurst</c>), and one per client address for requests
/// that fail authentication (<c>Api:FailedAuthPerSecond</c>, <c>Api:FailedAuthBurst</c>). Token buckets
/// are keyed by the token's id, so only live tokens get one. Ingest has its own back-pressure (the
/// write queue) and is not limited by the first.
/// </summary>
internal sealed class RequestLimiter(IOptions<ApiOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<long> _tokens = PartitionedRateLimiter.Create<long, long>(tokenId =>
        RateLimitPartition.GetTokenBucketLimiter(tokenId, _ => Bucket(options.Value.RequestBurst, options.Value.RequestsPerSecond)));

    private readonly PartitionedRateLimiter<string> _failedAuth = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => Bucket(options.Value.FailedAuthBurst, options.Value.FailedAuthPerSecond)));

    /// <summary>Null when the request may go on, else the seconds after which it may be tried again.</summary>
    public int? Refuse(long tokenId) => Take(_tokens, tokenId);

    /// <summary>
    /// Counts a failed authentication from <paramref name="address"/>: null while the address has
    /// failures left, else the seconds to wait. Only failures count, so a client with a live token is
    /// never refused because others behind the same address (a proxy, a NAT) send wrong ones.
    /// </summary>
    public int? RefuseFailedAuth(IPAddress? address) => Take(_failedAuth, Client(address));

    public void Dispose()
    {
        _tokens.Dispose();
        _failedAuth.Dispose();
    }

    private static TokenBucketRateLimiterOptions Bucket(int burst, int perSecond) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static int? Take<TKey>(PartitionedRateLimiter<TKey> limiter, TKey key)
    {
        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return null;
        }
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
    }

    /// <summary>
    /// The client an address stands for: an IPv6 host usually holds a whole /64 and could change
    /// address with every request, so IPv6 counts by /64.
    /// </summary>
    private static string Client(IPAddress? address)
    {
        if (address is null)
        {
            return "";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
