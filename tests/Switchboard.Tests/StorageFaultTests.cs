using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.FaultLoad;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// Storage faults under continuous ingest (docs/reliability.md): the disk under SQLite fills up,
/// or PostgreSQL goes away for 10 s. Meanwhile ingest answers 503 with the <c>@error</c> envelope
/// and Retry-After — no other error, no crash — and acknowledges nothing it did not store; once
/// storage is back the hub goes on by itself and every acknowledged event arrives.
/// </summary>
public class StorageFaultTests(ITestOutputHelper log)
{
    private const int Listeners = 2;
    private const int IngestTasks = 3;

    [SmallDiskFact]
    [Trait("Category", "Slow")]
    public async Task When_the_disk_under_SQLite_is_full_ingest_answers_503_and_once_there_is_space_again_every_acknowledged_event_arrives()
    {
        await using var disk = SmallDisk.Mount(64);
        var dataDirectory = Path.Combine(disk.Path, "data");
        await using var run = await LoadedHub.StartAsync(dataDirectory, []);
        await run.LoadUntilAsync(200);

        var clock = Stopwatch.StartNew();
        disk.Fill();
        log.WriteLine($"{run.Acknowledged.Count} activities acknowledged; disk filled ({disk.FreeBytes} bytes free)");
        await UntilAsync(() => run.Answers.Unavailable + run.Answers.Unexpected.Count > 0, "ingest answering anything but 202 on the full disk");
        var refusedAfter = clock.Elapsed;
        // Full for a while longer: outcomes cannot be recorded either, and the producers keep trying.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var acknowledgedWhileFull = run.Acknowledged.Count;
        disk.Free();
        var freedAt = clock.Elapsed;
        var recovery = await run.FinishAsync(log, clock, freedAt);
        log.WriteLine($"first 503 {refusedAfter.TotalSeconds:F1} s after the disk filled; {acknowledgedWhileFull} acknowledged by the time space returned");

        run.AssertRecovered(recovery);
        // SQLite rolls a failed write turn back whole: what was refused was not stored, so none of it ever arrives.
        Assert.Empty(run.Events.Arrived(run.Answers.RefusedActivities));
    }

    /// <summary>
    /// Two nodes with a 3 s lease: the outage outlasts it, so when the database is back each node
    /// finds the other's heartbeat as stale as its own. Neither may take the other's work for it
    /// (scaling.md: no double delivery while all nodes are alive).
    /// </summary>
    [PostgresFact]
    [Trait("Category", "Slow")]
    public async Task While_PostgreSQL_is_down_for_10_s_ingest_answers_503_and_afterwards_every_acknowledged_event_arrives()
    {
        // A server of the test's own: the others' hubs share the suite's one.
        using var cluster = TestPostgres.PostgresCluster.Start();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
        await using var run = await LoadedHub.StartAsync(dataDirectory, ["--postgres", cluster.NewDatabase()], 2, "--Cluster:LeaseSeconds=3", "--Delivery:MaxInFlightPerCallback=32");
        await run.LoadUntilAsync(200);

        var clock = Stopwatch.StartNew();
        cluster.StopServer();
        var stoppedIn = clock.Elapsed;
        var stoppedAt = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(10));
        // Answers to commits made before the stop may still be on their way for a moment; none may come later.
        var acceptedWhileDown = run.Answers.LastAcceptedAt > stoppedAt + Stopwatch.Frequency;
        cluster.StartAgain();
        var startedAt = clock.Elapsed;
        var recovery = await run.FinishAsync(log, clock, startedAt);
        log.WriteLine($"PostgreSQL stopped (pg_ctl stop -m fast) in {stoppedIn.TotalSeconds:F1} s, down 10 s, started again in {(startedAt - stoppedIn - TimeSpan.FromSeconds(10)).TotalSeconds:F1} s");

        Assert.False(acceptedWhileDown, "ingest answered 202 while PostgreSQL was down");
        run.AssertRecovered(recovery);
        // A commit whose answer the outage cut off may have been stored though refused: at least once, never lost. Counted, not forbidden.
        log.WriteLine($"{run.Events.Arrived(run.Answers.RefusedActivities).Count} activities answered 503 were stored all the same (a commit the outage cut off)");
    }

    /// <summary>What happened after storage came back.</summary>
    private sealed record Recovery(TimeSpan IngestBackAfter, TimeSpan AllDeliveredAfter, List<(string Activity, long Listener)> Missing);

    /// <summary>
    /// <c>switchboard serve</c> processes (one, or several nodes on one PostgreSQL database) with
    /// listeners on a receiver, under continuous ingest from <see cref="IngestTasks"/> producers spread over the nodes.
    /// </summary>
    private sealed class LoadedHub : IAsyncDisposable
    {
        private readonly HubProcess[] _nodes;
        private readonly Receiver _receiver;
        private readonly List<long> _listenerIds;
        private readonly HttpClient[] _producers;
        private readonly CancellationTokenSource _stop = new();
        private Task[] _ingest = [];

        private LoadedHub(HubProcess[] nodes, Receiver receiver, List<long> listenerIds, HttpClient[] producers)
        {
            _nodes = nodes;
            _receiver = receiver;
            _listenerIds = listenerIds;
            _producers = producers;
        }

        private string Output => string.Join("\n", _nodes.Select((n, i) => $"node {i + 1}{(n.HasExited ? " (ended)" : "")}:\n{n.Output}"));

        public ConcurrentDictionary<string, bool> Acknowledged { get; } = new();

        public IngestAnswers Answers { get; } = new();

        public ReceivedEvents Events { get; } = new();

        public static async Task<LoadedHub> StartAsync(string dataDirectory, string[] storage, int nodeCount = 1, params string[] settings)
        {
            var operatorToken = (await HubProcess.RunAsync(["tokens", "create", "--operator", "--data-dir", dataDirectory, .. storage])).Trim();
            var accountToken = (await HubProcess.RunAsync(["tokens", "create", "--account", "1000002", "--data-dir", dataDirectory, .. storage])).Trim();
            var receiver = await Receiver.StartAsync();
            // A third of the events fail their first attempt, so that there are retries waiting in storage through the fault too.
            var tried = new ConcurrentDictionary<string, bool>();
            receiver.Answer = request =>
            {
                var id = request.Headers["webhook-id"];
                return !id.StartsWith("test_", StringComparison.Ordinal) && tried.TryAdd(id, true) && id[^1] % 3 == 0 ? (503, null) : (200, null);
            };
            // Retries come back fast, so that events whose outcome could not be recorded are not held for long.
            var nodes = new List<HubProcess>();
            for (var i = 0; i < nodeCount; i++)
            {
                nodes.Add(await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), ["--Delivery:AllowPrivateNetworks=true", "--Delivery:RetrySchedule=1s,1s,1s,1s,1s", .. settings, .. storage]));
            }
            using var account = Client(nodes[0].Url, accountToken);
            var listenerIds = new List<long>();
            for (var i = 0; i < Listeners; i++)
            {
                listenerIds.Add((await ListenAsync(account, AccountBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64());
            }
            return new LoadedHub([.. nodes], receiver, listenerIds, [.. Enumerable.Range(0, IngestTasks).Select(i => Client(nodes[i % nodeCount].Url, operatorToken))]);
        }

        /// <summary>Starts the producers and waits until <paramref name="activities"/> are acknowledged.</summary>
        public async Task LoadUntilAsync(int activities)
        {
            _ingest = [.. _producers.Select((producer, task) => Task.Run(() => IngestUntilAsync(producer, task, Acknowledged, () => false, _stop.Token, Answers)))];
            await UntilAsync(() => Acknowledged.Count >= activities, $"{activities} activities acknowledged before the fault");
        }

        /// <summary>After the fault ended at <paramref name="endedAt"/>: a 202 again, one more second of load, then every acknowledged event.</summary>
        public async Task<Recovery> FinishAsync(ITestOutputHelper log, Stopwatch clock, TimeSpan endedAt)
        {
            try
            {
                await UntilAsync(() => Stopwatch.GetElapsedTime(Answers.LastAcceptedAt) < clock.Elapsed - endedAt, "ingest answering 202 again");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message} The hub said:\n{Output}", e);
            }
            var ingestBack = clock.Elapsed - endedAt;
            await Task.Delay(TimeSpan.FromSeconds(1));
            await _stop.CancelAsync();
            await Task.WhenAll(_ingest);
            var expected = Acknowledged.Keys.ToList();
            var missing = await Events.WaitForAsync(_receiver, expected, _listenerIds, TimeSpan.FromSeconds(60));
            var allDelivered = clock.Elapsed - endedAt;
            log.WriteLine($"{expected.Count} activities acknowledged ({Answers.AcceptedActivities} in 202s), {Answers.Unavailable} requests answered 503 " +
                $"({Answers.RefusedActivities.Count} activities), {Answers.UnansweredRequests} unanswered, {Answers.Unexpected.Count} other answers; " +
                $"ingest answered 202 again {ingestBack.TotalSeconds:F1} s after the fault ended, every acknowledged event had arrived {allDelivered.TotalSeconds:F1} s after it " +
                $"({missing.Count} missing); {Events.Count} events received, {Events.Duplicates} of them duplicates" +
                (_nodes.Length > 1 ? $"; {_nodes.Sum(n => n.Output.Split('\n').Count(l => l.Contains("Took over", StringComparison.Ordinal)))} take-overs logged" : ""));
            return new Recovery(ingestBack, allDelivered, missing);
        }

        public void AssertRecovered(Recovery recovery)
        {
            Assert.False(_nodes.Any(n => n.HasExited), $"switchboard serve ended:\n{Output}");
            Assert.True(Answers.Unexpected.Count == 0, "ingest answered besides 202 and 503 with the @error envelope and Retry-After:\n" + string.Join('\n', Answers.Unexpected.Take(10)));
            Assert.Equal(0, Answers.UnansweredRequests);
            Assert.True(Answers.Unavailable > 0, "ingest never answered 503: the fault was not felt");
            Assert.True(recovery.Missing.Count == 0,
                $"{recovery.Missing.Count} events of acknowledged activities never arrived, e.g. " +
                string.Join(", ", recovery.Missing.Take(10).Select(m => $"activity {m.Activity} for listener {m.Listener}")) + $"\n{Output}");
            Assert.Empty(Events.RedeliveredUnderANewUuid());
            // No process died: every event is attempted by one node at a time, its outcome recorded once storage is back (scaling.md).
            Assert.True(Events.Duplicates == 0, $"{Events.Duplicates} events arrived twice though no node died\n{Output}");
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_ingest);
            foreach (var producer in _producers)
            {
                producer.Dispose();
            }
            foreach (var node in _nodes)
            {
                await node.DisposeAsync();
            }
            await _receiver.DisposeAsync();
            _stop.Dispose();
        }
    }
}
