using System.Buffers;
using Switchboard.Simulate;

namespace Switchboard.Bench;

/// <summary>
/// Sends the bench's activities to <c>POST /v4/ingest</c> as NDJSON batches. At full speed a few
/// senders each post their next batch as soon as the last one is answered. Paced, every batch
/// leaves at its own time whether or not earlier ones were answered (open loop, as producers
/// that do not wait for each other), up to <see cref="BenchPlan.SenderCount"/> requests in flight.
/// </summary>
internal sealed class IngestLoad(IReadOnlyList<HttpClient> hubs, BenchPlan plan, IReadOnlyList<long> voipIds)
{
    // Batches go to the nodes in turn, as a load balancer would spread them.
    private readonly IngestClient[] _ingest = [.. hubs.Select(h => new IngestClient(h))];
    private readonly int _batches = (plan.Activities + plan.BatchSize - 1) / plan.BatchSize;
    private readonly long _wallClockNs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

    // Keys of this run only: a second run against the same hub is not taken for repeats of the first.
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];
    private long _nextBatch = -1;
    private long _acknowledged;
    private string? _failure;

    /// <summary>When the first batch was due, in <see cref="BenchClock"/> nanoseconds.</summary>
    public long StartNs { get; private set; }

    /// <summary>When the last answer came.</summary>
    public long EndNs { get; private set; }

    /// <summary>Activities the hub has acknowledged (stored durably) so far.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>From when each batch was due to the hub's answer that it is stored: the write path alone.</summary>
    public LatencyHistogram AckLatencies { get; } = new();

    /// <summary>Why ingest stopped early, or null.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        StartNs = BenchClock.NowNs;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await (plan.Rate > 0 ? PacedAsync(failed) : Task.WhenAll(Enumerable.Range(0, plan.SenderCount).Select(_ => SenderAsync(failed))));
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
        }
        EndNs = BenchClock.NowNs;
    }

    private async Task SenderAsync(CancellationTokenSource failed)
    {
        var body = new ArrayBufferWriter<byte>(plan.BatchSize * CallActivities.MaxLineBytes);
        long batch;
        while ((batch = Interlocked.Increment(ref _nextBatch)) < _batches && await PostAsync(batch, BenchClock.NowNs, body, failed))
        {
        }
    }

    private async Task PacedAsync(CancellationTokenSource failed)
    {
        using var inFlight = new SemaphoreSlim(plan.SenderCount);
        var sends = new List<Task>(_batches);
        for (long batch = 0; batch < _batches && !failed.IsCancellationRequested; batch++)
        {
            // An activity's latency counts from when it was due, so a hub that holds the senders
            // back is not excused by their sending late (no coordinated omission).
            var dueNs = StartNs + (long)(batch * plan.BatchSize / plan.Rate * 1e9);
            var wait = dueNs - BenchClock.NowNs;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromTicks(wait / 100), failed.Token);
            }
            await inFlight.WaitAsync(failed.Token);
            sends.Add(SendOneAsync(batch, dueNs));
        }
        await Task.WhenAll(sends);

        async Task SendOneAsync(long batch, long dueNs)
        {
            try
            {
                await PostAsync(batch, dueNs, new ArrayBufferWriter<byte>(plan.BatchSize * CallActivities.MaxLineBytes), failed);
            }
            finally
            {
                inFlight.Release();
            }
        }
    }

    /// <summary>Posts one batch stamped with <paramref name="sentAtNs"/>; false (and <see cref="Failure"/> set) when ingest must stop.</summary>
    private async Task<bool> PostAsync(long batch, long sentAtNs, ArrayBufferWriter<byte> body, CancellationTokenSource failed)
    {
        var first = batch * plan.BatchSize;
        var count = (int)Math.Min(plan.BatchSize, plan.Activities - first);
        body.ResetWrittenCount();
        for (var i = first; i < first + count; i++)
        {
            var call = plan.CallOf(i);
            CallActivities.WriteLine(body, voipIds[(int)(call % voipIds.Count)], i, call, _wallClockNs + i, sentAtNs, _run);
        }
        try
        {
            await _ingest[batch % _ingest.Length].PostAsync(body.WrittenMemory, failed.Token);
            AckLatencies.Record((BenchClock.NowNs - sentAtNs) / 1000);
            Interlocked.Add(ref _acknowledged, count);
            return true;
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
            return false;
        }
        catch (IngestException e)
        {
            return await FailAsync(e.Message, failed);
        }
    }

    private async Task<bool> FailAsync(string failure, CancellationTokenSource failed)
    {
        Interlocked.CompareExchange(ref _failure, failure, null);
        await failed.CancelAsync();
        return false;
    }
}
