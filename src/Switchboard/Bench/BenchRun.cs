using System.Net.Http.Headers;

namespace Switchboard.Bench;

/// <summary>
/// One <c>switchboard bench</c>: receiver up, hub up (or reached), accounts and listeners made
/// through the API, activities ingested while the receiver counts what arrives, then the hub
/// stopped and the raw HTTP baseline run against the same receiver, then the summary.
/// </summary>
internal static class BenchRun
{
    /// <summary>The in-process hub's accounts; on a shared hub a random block far above, so runs do not meet real accounts or each other.</summary>
    private const long FirstVoipId = 900_000_000_001;

    /// <summary>After ingest has finished, this long without a new delivery ends the wait.</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(30);

    private const int MaxRawConcurrency = 256;

    public static async Task<int> RunAsync(BenchPlan plan, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken)
    {
        var temporary = plan.InProcess && plan.DataDirectory is null;
        var dataDirectory = plan.DataDirectory ?? Path.Combine(Path.GetTempPath(), "switchboard-bench-" + Guid.NewGuid().ToString("N"));
        var nodes = new List<ChildHub>();
        var dead = Enumerable.Range(0, plan.DeadCallbacks).Select(_ => DeadCallback.Start()).ToList();
        try
        {
            await using var receiver = await BenchReceiver.StartAsync(cancellationToken);
            var maxInFlight = 16;
            string url, token;
            if (plan.InProcess)
            {
                string? known = null;
                if (plan.Postgres is not null)
                {
                    // A database of earlier runs prints no first token: the bench makes its own.
                    known = await OperatorTokenAsync(plan.Postgres, cancellationToken);
                }
                for (var i = 0; i < plan.Nodes; i++)
                {
                    await error.WriteLineAsync(plan.Nodes == 1
                        ? "bench: starting the hub (switchboard serve) as a process of its own"
                        : $"bench: starting node {i + 1} of {plan.Nodes} (switchboard serve --postgres)");
                    var node = await ChildHub.StartAsync(dataDirectory, plan.Postgres, known, plan.HubSettings, cancellationToken);
                    nodes.Add(node);
                    known ??= node.Token;
                }
                (url, token) = (nodes[0].Url, nodes[0].Token);
                maxInFlight = plan.HubSettings.Select(s => s.Split('=', 2)).Where(p => p.Length == 2 && p[0].TrimStart('-') == "Delivery:MaxInFlightPerCallback")
                    .Select(p => int.TryParse(p[1], out var n) ? n : maxInFlight).LastOrDefault(maxInFlight);
            }
            else
            {
                (url, token) = (plan.HubUrl!, plan.Token!);
            }
            // Ctrl+C and SIGTERM reach the receiver's host, whose console lifetime takes them: its
            // stopping is the bench's signal to stop too, and so is the hub's process ending.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, receiver.Stopping);
            var hubStopping = nodes.Select(n => n.Exited.Register(stop.Cancel)).ToList();
            cancellationToken = stop.Token;
            var hubName = !plan.InProcess ? url
                : plan.Postgres is not null ? $"{plan.Nodes} x switchboard serve (a process each) at {string.Join(", ", nodes.Select(n => n.Url))}, on PostgreSQL"
                : $"switchboard serve (pid of its own) at {url}, SQLite in {Path.GetFullPath(dataDirectory)}" + (temporary ? " (deleted afterwards)" : "");
            var apis = (plan.InProcess ? nodes.Select(n => n.Url) : [url]).Select(u =>
            {
                var client = new HttpClient { BaseAddress = new Uri(u) };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return client;
            }).ToList();
            var api = apis[0];

            var rss = new PeakRss();
            using var sampling = new CancellationTokenSource();
            var sampler = rss.SampleAsync(sampling.Token);

            await error.WriteLineAsync($"bench: {hubName}; receiver at {receiver.Url}; creating {plan.Accounts:N0} accounts x {plan.ListenersPerAccount:N0} listeners" +
                (dead.Count > 0 ? $", the callbacks of {dead.Count:N0} of them dead once created" : ""));
            // A database that outlives the run (a --hub, PostgreSQL) gets its own block of accounts, removed afterwards.
            var keepsData = !plan.InProcess || plan.Postgres is not null;
            var firstVoipId = !keepsData ? FirstVoipId : FirstVoipId + (Random.Shared.NextInt64(1, 1_000_000) * 100_000);
            var setupStarted = BenchClock.NowNs;
            // A dead callback answers its verification, then dies: connections to it time out from then on.
            var verified = dead.Select(d => d.AnswerVerificationAsync(cancellationToken)).ToList();
            var accounts = await BenchAccounts.CreateAsync(api, firstVoipId, plan.Accounts, plan.ListenersPerAccount,
                i => i < plan.LiveAccounts ? receiver.Url : dead[i - plan.LiveAccounts].Url, plan.Ordered, cancellationToken);
            await Task.WhenAll(verified);
            await Task.WhenAll(dead.Select(d => d.DieAsync(cancellationToken)));
            var setupSeconds = (BenchClock.NowNs - setupStarted) / 1e9;

            var tally = new ReceiverTally(plan.ExpectedDeliveries);
            receiver.Tally = tally;
            receiver.ResetPeakInFlight();
            var load = new IngestLoad(apis, plan, [.. accounts.Select(a => a.VoipId)]);
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var hubBefore = await ReadFiguresAsync(apis, cancellationToken);
            using var loadDone = new CancellationTokenSource();
            using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var ingest = load.RunAsync(stopLoad.Token);
            var progress = BenchProgress.ShowAsync(error, interactive,
                () => new BenchSnapshot((BenchClock.NowNs - load.StartNs) / 1e9, load.Acknowledged, plan.Activities, tally.Events, plan.ExpectedDeliveries, rss.CurrentMb),
                loadDone.Token);
            var problem = await WaitForDeliveriesAsync(plan, load, ingest, tally, cancellationToken);
            await stopLoad.CancelAsync();
            await ingest;
            await loadDone.CancelAsync();
            await progress;
            var peakInFlight = receiver.PeakInFlight;
            var cpuSeconds = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
            var allocatedMb = (GC.GetTotalAllocatedBytes() - allocatedBefore) / (1024.0 * 1024.0);
            var hubAfter = await ReadFiguresAsync(apis, cancellationToken);
            var hub = HubFigures.Between(hubBefore, hubAfter);

            if (keepsData)
            {
                await BenchAccounts.DeleteAsync(api, accounts, cancellationToken);
            }
            // The baseline gets the machine to itself: the hubs stop first, and that is no signal to stop.
            foreach (var registration in hubStopping)
            {
                await registration.DisposeAsync();
            }
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
            nodes.Clear();
            await sampling.CancelAsync();
            await sampler;

            var concurrency = plan.RawConcurrency > 0 ? plan.RawConcurrency : (int)Math.Min(MaxRawConcurrency, (long)maxInFlight * plan.Accounts);
            await error.WriteLineAsync($"bench: raw HTTP baseline, {concurrency} requests in flight for {plan.BaselineSeconds:0.#} s");
            var raw = await RawHttpBaseline.RunAsync(receiver, concurrency, TimeSpan.FromSeconds(plan.BaselineSeconds), cancellationToken);


            var deliveries = tally.Events;
            var seconds = Math.Max(tally.LastNs - load.StartNs, 1) / 1e9;
            var ingestSeconds = Math.Max(load.EndNs - load.StartNs, 1) / 1e9;
            var perSecond = deliveries / seconds;
            var report = new BenchReport(
                hubName, plan.Accounts, plan.ListenersPerAccount, plan.Activities, plan.Rate, plan.BatchSize, plan.SenderCount,
                setupSeconds, load.Acknowledged, ingestSeconds, load.Acknowledged / ingestSeconds, load.AckLatencies.PercentileMs(50), load.AckLatencies.PercentileMs(99),
                plan.ExpectedDeliveries, deliveries, seconds, perSecond, tally.SteadyPerSecond,
                tally.Latencies.PercentileMs(50), tally.Latencies.PercentileMs(90), tally.Latencies.PercentileMs(99), tally.Latencies.MaxMs, peakInFlight,
                raw.Concurrency, raw.PerSecond, raw.P50Ms, raw.P99Ms, raw.PerSecond > 0 ? perSecond / raw.PerSecond : 0,
                rss.PeakMb, cpuSeconds, allocatedMb, plan.InProcess, hub, problem, plan.DeadCallbacks);
            await report.WriteAsync(output, plan.Json);
            return report.Complete ? 0 : 1;
        }
        catch (Exception e) when (nodes.FirstOrDefault(n => n.Exited.IsCancellationRequested) is { } ended && e is OperationCanceledException or HttpRequestException)
        {
            await error.WriteLineAsync($"switchboard bench: the hub's process ended during the run: {ended.LastLines()}");
            return 1;
        }
        catch (BenchException e)
        {
            await error.WriteLineAsync($"switchboard bench: {e.Message}");
            if (nodes.Select(n => n.FirstError()).FirstOrDefault(f => f is not null) is { } logged)
            {
                await error.WriteLineAsync($"switchboard bench: the hub logged: {logged}");
            }
            return 1;
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"switchboard bench: the hub could not be reached: {e.Message}");
            return 1;
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or HttpRequestException)
        {
            await error.WriteLineAsync("switchboard bench: stopped before the end; no figures.");
            return 130;
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
            foreach (var callback in dead)
            {
                callback.Dispose();
            }
            if (temporary && Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static async Task<List<HubFigures?>> ReadFiguresAsync(IReadOnlyList<HttpClient> hubs, CancellationToken cancellationToken)
    {
        var figures = new List<HubFigures?>(hubs.Count);
        foreach (var hub in hubs)
        {
            figures.Add(await HubFigures.ReadAsync(hub, cancellationToken));
        }
        return figures;
    }

    /// <summary>An operator token for the bench, made in the PostgreSQL database itself (migrated first, as a node would).</summary>
    private static async Task<string> OperatorTokenAsync(string postgres, CancellationToken cancellationToken)
    {
        await using var database = new Storage.PostgresHubDatabase(postgres);
        await using (await database.StartUpAsync(cancellationToken))
        {
            await database.MigrateAsync(cancellationToken);
        }
        var (_, token) = await new Storage.TokenStore(database, TimeProvider.System).CreateAsync(Storage.TokenScope.Operator, null, null, cancellationToken);
        return token;
    }

    /// <summary>Waits until every expected event arrived; otherwise says why the run ended without them.</summary>
    private static async Task<string?> WaitForDeliveriesAsync(BenchPlan plan, IngestLoad load, Task ingest, ReceiverTally tally, CancellationToken cancellationToken)
    {
        var deadline = BenchClock.NowNs + (plan.TimeoutSeconds * 1_000_000_000L);
        var lastCount = -1L;
        var lastChangeNs = BenchClock.NowNs;
        while (true)
        {
            var count = tally.Events;
            var now = BenchClock.NowNs;
            if (count >= plan.ExpectedDeliveries)
            {
                return count > plan.ExpectedDeliveries ? $"{count - plan.ExpectedDeliveries:N0} more events arrived than expected" : null;
            }
            if (load.Failure is { } failure)
            {
                return failure;
            }
            if (now > deadline)
            {
                return $"only {count:N0} of {plan.ExpectedDeliveries:N0} events arrived within --timeout {plan.TimeoutSeconds} s";
            }
            if (count != lastCount)
            {
                (lastCount, lastChangeNs) = (count, now);
            }
            else if (ingest.IsCompleted && now - lastChangeNs > Stall.Ticks * 100)
            {
                return $"only {count:N0} of {plan.ExpectedDeliveries:N0} events arrived, and none for {Stall.TotalSeconds:0} s";
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }
}
