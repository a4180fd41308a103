namespace Switchboard.Hosting;

/// <summary>
/// This process as one of the nodes that share the database (scaling.md, Nodes): a new id on
/// every start, so that what a killed process held is told apart from what its successor holds.
/// </summary>
internal sealed class HubNode(TimeProvider clock)
{
    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    public string Host { get; } = Environment.MachineName;

    public long StartedAt { get; } = clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>How many nodes, this one included, had a live heartbeat at its last heartbeat: what a callback's in-flight cap is shared out by.</summary>
    public int LiveNodes { get; set; } = 1;
}
