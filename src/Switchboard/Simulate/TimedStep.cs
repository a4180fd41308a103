using Switchboard.Events;

namespace Switchboard.Simulate;

/// <summary>
/// One activity of a scenario as the platform would report it (ingest.md, Activity), without the
/// fields the player adds when it is sent (account, timestamp, idempotency key).
/// </summary>
/// <param name="Describe">A few words for a person watching, made only when shown: what happened.</param>
internal sealed record SimulatedActivity(EventData Data, Func<string> Describe, long[]? ExtensionIds = null, string? DataObjectUuid = null)
{
    public string Words => Describe();

    /// <summary>Words for the log: what happened, then who, in a column.</summary>
    public static string Say(string what, string who) => $"{what,-28}{who}";
}

/// <summary>
/// A step of a scenario: when it happens, in nanoseconds after the scenario starts, and how to
/// make its activity. The activity is made only when it is sent, so thousands of calls in
/// progress hold their participants and timings, not their JSON.
/// </summary>
internal sealed record TimedStep(long AtNs, Func<SimulatedActivity> Build);

/// <summary>The steps of one scenario in the order they happen, written with a running clock.</summary>
internal sealed class ScenarioSteps
{
    /// <summary>Activities closer than this may be reported in either order (events.md, Call legs and ordering).</summary>
    public static readonly long CloseNs = Ms(50);

    private readonly List<TimedStep> _steps = [];
    private readonly Random _random;

    public ScenarioSteps(Random random, long startUnixNs)
    {
        _random = random;
        StartUnixNs = startUnixNs;
    }

    /// <summary>When the scenario starts, in UNIX nanoseconds.</summary>
    public long StartUnixNs { get; }

    /// <summary>Where the clock stands, in nanoseconds after the start.</summary>
    public long NowNs { get; private set; }

    public IReadOnlyList<TimedStep> Steps => _steps;

    /// <summary>Moves the clock on by a random time between two bounds, in milliseconds.</summary>
    public ScenarioSteps After(int minMs, int maxMs)
    {
        NowNs += Ms(_random.Next(minMs, maxMs + 1)) + _random.Next(0, 1_000_000);
        return this;
    }

    /// <summary>Adds a step at the clock's time.</summary>
    public ScenarioSteps Then(Func<SimulatedActivity> build)
    {
        _steps.Add(new TimedStep(NowNs, build));
        return this;
    }

    /// <summary>
    /// The order in which the steps are sent, as indexes into <paramref name="steps"/>: the order
    /// they happened in, or with <paramref name="reorder"/> each pair of closely-timed neighbours
    /// swapped by a coin toss, as the platform may report them (a <c>connecting</c> before its
    /// <c>new</c>). A swapped step is sent at its neighbour's time and keeps its own <c>timestamp_ns</c>.
    /// </summary>
    public static int[] SendOrder(IReadOnlyList<TimedStep> steps, bool reorder, Random random)
    {
        var order = Enumerable.Range(0, steps.Count).ToArray();
        if (!reorder)
        {
            return order;
        }
        for (var i = 0; i + 1 < order.Length; i++)
        {
            if (steps[i + 1].AtNs - steps[i].AtNs <= CloseNs && random.Next(2) == 0)
            {
                (order[i], order[i + 1]) = (order[i + 1], order[i]);
                i++; // a step moves by one place at most
            }
        }
        return order;
    }

    public static long Ms(long milliseconds) => milliseconds * 1_000_000;
}
