using System.Net.Http.Headers;

namespace Switchboard.Bench;

/// <summary>What a plain HttpClient loop reached against the bench receiver.</summary>
internal sealed record RawHttpResult(int Concurrency, double Seconds, long Requests, double PerSecond, double P50Ms, double P99Ms);

/// <summary>
/// The yardstick for the hub's deliveries: a plain <see cref="HttpClient"/> with the same kind of
/// handler the hub uses, POSTing event-sized bodies to the same receiver with as many requests in
/// flight as the hub may have, for a few seconds. No storage, no matching, no signing: what HTTP
/// alone costs on this machine.
/// </summary>
internal static class RawHttpBaseline
{
    private static readonly MediaTypeHeaderValue Json = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    public static async Task<RawHttpResult> RunAsync(BenchReceiver receiver, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        })
        { Timeout = TimeSpan.FromSeconds(30) };
        // The first fifth (at most a second) opens the connections and is not counted.
        var warmUp = TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, duration.Ticks / 5));
        var endNs = BenchClock.NowNs + (long)((warmUp + duration).TotalMilliseconds * 1_000_000);
        receiver.Tally = new ReceiverTally(0);
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            long index = worker;
            long now;
            while ((now = BenchClock.NowNs) < endNs)
            {
                using var content = new ByteArrayContent(CallActivities.Event(1, index, now));
                content.Headers.ContentType = Json;
                using var response = await client.PostAsync(receiver.Url, content, cancellationToken);
                response.EnsureSuccessStatusCode();
                index += concurrency;
            }
        }).ToArray();
        await Task.Delay(warmUp, cancellationToken);
        var counted = new ReceiverTally(0);
        var countFromNs = BenchClock.NowNs;
        receiver.Tally = counted;
        await Task.WhenAll(workers);
        var seconds = (Math.Max(counted.LastNs, countFromNs + 1) - countFromNs) / 1e9;
        return new RawHttpResult(concurrency, seconds, counted.Events, counted.Events / seconds, counted.Latencies.PercentileMs(50), counted.Latencies.PercentileMs(99));
    }
}
