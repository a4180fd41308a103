using Microsoft.Extensions.Options;
using Switchboard.Hosting;

namespace Switchboard.Delivery;

/// <summary>
/// Delivery's one source of randomness (the retry jitter), seeded by <c>Delivery:JitterSeed</c> so
/// that a test can replay a retry schedule exactly; unseeded unless set.
/// </summary>
internal sealed class DeliveryRandom(IOptions<DeliveryOptions> options)
{
    private readonly Random _random = options.Value.JitterSeed is { } seed ? new Random(seed) : new Random();

    /// <summary>A number in [0, 1); safe to call from concurrent sends.</summary>
    public double NextDouble()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }
}
