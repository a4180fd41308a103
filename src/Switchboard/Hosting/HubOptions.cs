using System.ComponentModel.DataAnnotations;

namespace Switchboard.Hosting;

/// <summary>The management API's limits (section <c>Api</c>).</summary>
internal sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Largest accepted request body; api.md: 64 KiB by default.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;
}

/// <summary>How events are delivered (section <c>Delivery</c>).</summary>
internal sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>Let callbacks reach loopback and private addresses: for tests and local development only.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Timeout of a callback request when the callback sets none; api.md: 10 s.</summary>
    [Range(1, 30)]
    public int DefaultTimeoutSeconds { get; set; } = 10;
}
