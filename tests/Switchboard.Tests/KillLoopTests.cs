using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.FaultLoad;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// kill -9 in a loop (docs/reliability.md): ten SIGKILLs at random moments under continuous load,
/// each followed by a start again on the same data, as a supervisor would. Zero acknowledged
/// events may be lost; the duplicates at-least-once delivery allows are counted and reported.
/// CrashRecoveryTests kills once, with more load in flight; this kills often, at any moment
/// (starting up, catching up, taking over).
/// </summary>
public class KillLoopTests(ITestOutputHelper log)
{
    private const int Kills = 10;
    private const int Listeners = 2;

    /// <summary>One <c>switchboard serve</c> on SQLite, killed and started again ten times.</summary>
    [SqliteFact]
    [Trait("Category", "Slow")]
    public Task Ten_SIGKILLs_of_serve_at_random_moments_under_load_lose_no_acknowledged_event() =>
        KillInALoopAsync(1, ["--Delivery:AllowPrivateNetworks=true"]);

    /// <summary>
    /// scaling.md: three nodes on PostgreSQL, one at a time killed at a random moment and started
    /// again; the others take over its work once its lease (3 s here) runs out.
    /// </summary>
    [PostgresFact]
    [Trait("Category", "Slow")]
    public Task Ten_SIGKILLs_of_one_node_of_three_at_a_time_under_load_lose_no_acknowledged_event() =>
        // The in-flight cap is the callback's across all nodes: 48 lets each of three keep 16 requests in flight.
        KillInALoopAsync(3, ["--Delivery:AllowPrivateNetworks=true", "--Cluster:LeaseSeconds=3", "--Delivery:MaxInFlightPerCallback=48"]);

    private async Task KillInALoopAsync(int nodeCount, string[] settings)
    {
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        var run = Stopwatch.StartNew();
        var (dataDirectory, operatorToken, accountToken) = await HubProcess.NewDataAsync();
        await using var receiver = await Receiver.StartAsync();
        // Answers that take a moment, so that every kill finds requests in flight.
        receiver.Delay = TimeSpan.FromMilliseconds(20);
        var ports = Enumerable.Range(0, nodeCount).Select(_ => HubProcess.FreePort()).ToArray();
        var nodes = Array.Empty<HubProcess>();
        var output = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var producers = new List<HttpClient>();
        Task[] ingest = [];
        try
        {
            var starting = ports.Select(port => HubProcess.StartAsync(dataDirectory, port, settings)).ToList();
            try
            {
                nodes = await Task.WhenAll(starting);
            }
            catch
            {
                foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
                {
                    await started.Result.DisposeAsync();
                }
                throw;
            }
            var listenerIds = new List<long>();
            using (var account = Client(nodes[0].Url, accountToken))
            {
                for (var i = 0; i < Listeners; i++)
                {
                    listenerIds.Add((await ListenAsync(account, AccountBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64());
                }
            }
            var acknowledged = new ConcurrentDictionary<string, bool>();
            var answers = new IngestAnswers();
            // Two producers in all, spread over the nodes, each pausing a little after every 202: a steady load that delivery keeps up with.
            producers = [.. Enumerable.Range(0, Math.Max(2, nodeCount)).Select(i => Client(nodes[i % nodeCount].Url, operatorToken))];
            ingest = [.. producers.Select((producer, task) => Task.Run(() => IngestUntilAsync(producer, task, acknowledged, () => false, stop.Token, answers, pause: TimeSpan.FromMilliseconds(100))))];
            var events = new ReceivedEvents();
            log.WriteLine($"{run.Elapsed.TotalSeconds:F1} s: {nodeCount} node(s) up, load started; random seed {seed}");

            var restarts = new List<double>();
            var outstanding = new List<int>();
            var inFlight = new List<int>();
            for (var kill = 1; kill <= Kills; kill++)
            {
                var victim = random.Next(nodeCount);
                // From the moment it is ready (reading back what the last kill left) to 1.5 s later.
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 1500)));
                events.Take(receiver);
                outstanding.Add(events.Missing(acknowledged.Keys, listenerIds).Count);
                inFlight.Add(receiver.InFlight);
                await nodes[victim].KillAsync();
                var down = Stopwatch.StartNew();
                foreach (var line in nodes[victim].Output.Split('\n').Where(l => l.Contains("Took over", StringComparison.Ordinal)))
                {
                    output.Enqueue(line);
                }
                await nodes[victim].DisposeAsync();
                nodes[victim] = await HubProcess.StartAsync(dataDirectory, ports[victim], settings);
                restarts.Add(down.Elapsed.TotalSeconds);
                log.WriteLine($"{run.Elapsed.TotalSeconds:F1} s: kill {kill} (node {victim + 1}) with {acknowledged.Count} acknowledged, {outstanding[^1]} of their events not yet delivered " +
                    $"and {inFlight[^1]} requests at the receiver; ready again in {down.Elapsed.TotalSeconds:F1} s");
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
            await stop.CancelAsync();
            await Task.WhenAll(ingest);

            var expected = acknowledged.Keys.ToList();
            var drain = Stopwatch.StartNew();
            var missing = await events.WaitForAsync(receiver, expected, listenerIds, TimeSpan.FromSeconds(60));
            var tookOver = output.Count + nodes.Sum(n => n.Output.Split('\n').Count(l => l.Contains("Took over", StringComparison.Ordinal)));
            log.WriteLine($"{run.Elapsed.TotalSeconds:F1} s: {Kills} kills; {expected.Count} activities acknowledged, {answers.UnansweredRequests} ingest requests cut off or refused by a dead node; " +
                $"every acknowledged event delivered {drain.Elapsed.TotalSeconds:F1} s after the load stopped ({missing.Count} missing); {events.Count} deliveries, {events.Duplicates} of them duplicates " +
                $"({100.0 * events.Duplicates / Math.Max(1, events.Distinct):F2} %); start again took {Median(restarts):F1} s (median, max {restarts.Max():F1} s)" +
                (nodeCount > 1 ? $"; {tookOver} take-overs logged" : ""));

            Assert.True(outstanding.Concat(inFlight).Any(o => o > 0), "No kill found an acknowledged event undelivered or a request in flight; the test did not catch deliveries in flight.");
            Assert.True(answers.Unexpected.Count == 0, "ingest answered besides 202 and 503:\n" + string.Join('\n', answers.Unexpected.Take(10)));
            Assert.True(missing.Count == 0,
                $"{missing.Count} of {expected.Count * Listeners} events of acknowledged activities never arrived (seed {seed}), e.g. " +
                string.Join(", ", missing.Take(10).Select(m => $"activity {m.Activity} for listener {m.Listener}")) + "\n" + string.Join("\n", nodes.Select(n => n.Output)));
            Assert.Empty(events.RedeliveredUnderANewUuid());
            if (nodeCount > 1)
            {
                Assert.True(tookOver > 0, "No node took over a killed node's work.");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(ingest);
            foreach (var producer in producers)
            {
                producer.Dispose();
            }
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
