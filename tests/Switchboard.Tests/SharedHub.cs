namespace Switchboard.Tests;

/// <summary>One hub for every test of a class that only reads, or writes without looking at totals.</summary>
public sealed class SharedHub : IAsyncLifetime
{
    internal TestHub Hub { get; private set; } = null!;

    public async Task InitializeAsync() => Hub = await TestHub.StartAsync();

    public async Task DisposeAsync() => await Hub.DisposeAsync();
}
