using System.Buffers;
using System.Net;
using System.Net.Http.Headers;

namespace Switchboard.Bench;

/// <summary>
/// Sends the bench's activities to <c>POST /v4/ingest</c> as NDJSON batches from a few concurrent
/// senders, as fast as the hub answers or paced at <see cref="BenchPlan.Rate"/> activities per second.
/// </summary>
internal sealed class IngestLoad(HttpClient hub, BenchPlan plan, IReadOnlyList<long> voipIds)
{
    private static readonly MediaTypeHeaderValue NdJson = new("application/x-ndjson");

    private long _nextBatch = -1;
    private long _acknowledged;
    private string? _failure;

    /// <summary>When the first batch was due, in <see cref="BenchClock"/> nanoseconds.</summary>
    public long StartNs { get; private set; }

    /// <summary>When the last answer came.</summary>
    public long EndNs { get; private set; }

    /// <summary>Activities the hub has acknowledged (stored durably) so far.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Why ingest stopped early, or null.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        StartNs = BenchClock.NowNs;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var senders = Enumerable.Range(0, plan.SenderCount).Select(_ => SendAsync(failed)).ToArray();
        await Task.WhenAll(senders);
        EndNs = BenchClock.NowNs;
    }

    private async Task SendAsync(CancellationTokenSource failed)
    {
        var batchSize = plan.BatchSize;
        var batches = (plan.Activities + batchSize - 1) / batchSize;
        var body = new ArrayBufferWriter<byte>(batchSize * CallActivities.MaxLineBytes);
        var wallClockNs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        try
        {
            long batch;
            while ((batch = Interlocked.Increment(ref _nextBatch)) < batches)
            {
                var first = batch * batchSize;
                var count = (int)Math.Min(batchSize, plan.Activities - first);
                long sentAt;
                if (plan.Rate > 0)
                {
                    // Paced: an activity's latency counts from when it was due, so a hub that makes the
                    // senders wait is not excused by their sending late (no coordinated omission).
                    sentAt = StartNs + (long)(first / plan.Rate * 1e9);
                    var wait = sentAt - BenchClock.NowNs;
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromTicks(wait / 100), failed.Token);
                    }
                }
                else
                {
                    sentAt = BenchClock.NowNs;
                }
                body.ResetWrittenCount();
                for (var i = first; i < first + count; i++)
                {
                    CallActivities.WriteLine(body, voipIds[(int)(i % voipIds.Count)], i, wallClockNs + i, sentAt);
                }
                using var content = new ReadOnlyMemoryContent(body.WrittenMemory);
                content.Headers.ContentType = NdJson;
                using var response = await hub.PostAsync("/v4/ingest", content, failed.Token);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    var text = await response.Content.ReadAsStringAsync(failed.Token);
                    Interlocked.CompareExchange(ref _failure, $"POST /v4/ingest answered {(int)response.StatusCode}: {(text.Length > 500 ? text[..500] + "…" : text)}", null);
                    await failed.CancelAsync();
                    return;
                }
                Interlocked.Add(ref _acknowledged, count);
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
        }
        catch (HttpRequestException e)
        {
            Interlocked.CompareExchange(ref _failure, $"POST /v4/ingest failed: {e.Message}", null);
            await failed.CancelAsync();
        }
    }
}
