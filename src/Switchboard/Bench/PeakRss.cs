namespace Switchboard.Bench;

/// <summary>The most memory this process had resident while it was sampled (the working set, every 100 ms).</summary>
internal sealed class PeakRss
{
    private long _peak;

    public double PeakMb => Interlocked.Read(ref _peak) / (1024.0 * 1024.0);

    public double CurrentMb => Environment.WorkingSet / (1024.0 * 1024.0);

    public async Task SampleAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            var now = Environment.WorkingSet;
            if (now > Interlocked.Read(ref _peak))
            {
                Interlocked.Exchange(ref _peak, now);
            }
        }
        while (await Next(timer, stop));
    }

    private static async Task<bool> Next(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
