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
}
