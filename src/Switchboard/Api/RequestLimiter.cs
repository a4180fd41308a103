using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Switchboard.Hosting;

namespace Switchboard.Api;

/// <summary>
/// api.md's <c>429</c>: a token bucket per account or extension token (<c>Api:RequestsPerSecond</c>, <c>Api:RequestBurst</c>).
/// Keyed by the token's id, so only live tokens get a bucket: unknown tokens are refused with 401 before
/// and cannot grow the table. Ingest has its own back-pressure (the write queue) and is not limited here.
/// </summary>
internal sealed class RequestLimiter(IOptions<ApiOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<long> _buckets = PartitionedRateLimiter.Create<long, long>(tokenId =>
        RateLimitPartition.GetTokenBucketLimiter(tokenId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.RequestBurst,
            TokensPerPeriod = options.Value.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Null when the request may go on, else the seconds after which it may be tried again.</summary>
    public int? Refuse(long tokenId)
    {
        using var lease = _buckets.AttemptAcquire(tokenId);
        if (lease.IsAcquired)
        {
            return null;
        }
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
    }

    public void Dispose() => _buckets.Dispose();
}
