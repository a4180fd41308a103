namespace Switchboard.Delivery;

/// <summary>
/// What one delivery attempt came to (api.md, Deliveries: <c>at</c>, <c>url</c>,
/// <c>status_code</c>, <c>duration_ms</c>, <c>error</c>). <see cref="RetryAfter"/> is the
/// receiver's <c>Retry-After</c> on a 429 or 503.
/// </summary>
internal sealed record AttemptResult(bool Success, long At, int DurationMs, string? Url, int? StatusCode, string? Error, TimeSpan? RetryAfter = null)
{
    /// <summary>delivery.md: a 410 ends the retries and disables the callback.</summary>
    public bool Gone => StatusCode == 410;

    /// <summary>
    /// The receiver refused for good (an SMTP 5xx reply): the retries end as if exhausted, but
    /// unlike a 410 the callback stays enabled.
    /// </summary>
    public bool Permanent { get; init; }
}
