using System.Globalization;

namespace Switchboard.Simulate;

/// <summary>An activity on its way, for the log and for naming the scenario of a rejected line.</summary>
internal sealed record SentActivity(string Scenario, SimulatedActivity Activity, long TimestampNs, long ScenarioStartNs);

/// <summary>Where a run stands; read by the progress display while the player runs.</summary>
/// <param name="Sent">Activities in batches the hub answered: accepted, duplicates or rejected.</param>
internal sealed record SimulateSnapshot(double Seconds, long Started, long Finished, long Scenarios, long Sent, long Accepted, long Duplicates);

/// <summary>
/// Plays a <see cref="SimulatePlan"/>: starts scenarios at the plan's rate, and sends each step
/// when its simulated moment comes, every step due by then in the same NDJSON batch. One batch
/// is in flight at a time, so without <c>--reorder</c> the hub gets the activities in the order
/// they happened; while a batch is answered the next one is written and grows, so a slow hub gets
/// bigger batches rather than more requests. Steps are made as they are sent, so scenarios in
/// progress cost little.
/// </summary>
internal sealed class ScenarioPlayer(SimulatePlan plan, IngestClient ingest, TimeProvider time)
{
    /// <summary>Lines per batch at most (the hub takes up to 10 000 or 16 MiB; a line is under 1 KiB).</summary>
    public const int MaxBatch = 1000;

    /// <summary>Waits before sending a batch again after a transient failure; its idempotency keys make that harmless.</summary>
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    /// <summary>The shortest wait for the next step; a step is sent this much late at most.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly Dictionary<string, int> _played = [];
    private long _started;
    private long _finished;
    private long _sent;
    private long _accepted;
    private long _duplicates;
    private long _rejected;
    private long _startedAt;

    /// <summary>Called after each batch the hub took, with its activities in the order sent.</summary>
    public Func<IReadOnlyList<SentActivity>, Task>? Sent { get; init; }

    /// <summary>How many of each scenario were started.</summary>
    public IReadOnlyDictionary<string, int> Played => _played;

    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Batches sent again after a transient failure.</summary>
    public int Retries { get; private set; }

    public SimulateSnapshot Snapshot() => new(
        _startedAt == 0 ? 0 : time.GetElapsedTime(_startedAt).TotalSeconds,
        Interlocked.Read(ref _started), Interlocked.Read(ref _finished), plan.Count,
        Interlocked.Read(ref _sent), Interlocked.Read(ref _accepted), Interlocked.Read(ref _duplicates));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var random = new Random(plan.Seed);
        var cast = new Cast(random, plan.VoipId);
        var epochNs = (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        var spacingNs = 1e9 / plan.Rate;
        var playing = new PriorityQueue<Playing, (long DueNs, long Order)>();
        var order = 0L;
        var next = 0;
        using var first = new ActivityLines();
        using var second = new ActivityLines();
        var (lines, spareLines) = (first, second);
        var (batch, spareBatch) = (new List<SentActivity>(MaxBatch), new List<SentActivity>(MaxBatch));
        var sending = Task.CompletedTask;
        _startedAt = time.GetTimestamp();

        while (true)
        {
            // Simulated nanoseconds since the start; at speed 0 everything is due.
            var simulatedNs = time.GetElapsedTime(_startedAt).Ticks * 100 * plan.Speed;
            var nowNs = plan.Speed == 0 || simulatedNs >= long.MaxValue ? long.MaxValue : (long)simulatedNs;
            long nextStartNs, nextStepNs;
            while (true)
            {
                nextStartNs = next < plan.Count ? (long)(next * spacingNs) : long.MaxValue;
                nextStepNs = playing.TryPeek(out _, out var due) ? due.DueNs : long.MaxValue;
                if (nextStartNs <= nextStepNs && nextStartNs <= nowNs && nextStartNs != long.MaxValue)
                {
                    var scenario = Start(next++, nextStartNs, random, cast, epochNs);
                    playing.Enqueue(scenario, (scenario.DueNs, order++));
                }
                else if (nextStepNs <= nowNs && nextStepNs != long.MaxValue && batch.Count < MaxBatch)
                {
                    var scenario = playing.Dequeue();
                    var (activity, timestampNs, key) = scenario.Take();
                    lines.Add(plan.VoipId, activity, timestampNs, $"{plan.RunId}-{key}");
                    batch.Add(new SentActivity(scenario.Name, activity, timestampNs, scenario.StartUnixNs));
                    if (scenario.Done)
                    {
                        Interlocked.Increment(ref _finished);
                    }
                    else
                    {
                        playing.Enqueue(scenario, (scenario.DueNs, order++));
                    }
                }
                else
                {
                    break;
                }
            }
            if (batch.Count > 0)
            {
                // One batch in flight: the next is written while the hub answers this one and leaves
                // after that answer, so the hub gets the activities in order.
                await sending;
                sending = SendAsync(lines, batch, cancellationToken);
                (lines, spareLines) = (spareLines, lines);
                (batch, spareBatch) = (spareBatch, batch);
                continue;
            }
            await sending;
            var dueNs = Math.Min(nextStartNs, nextStepNs);
            if (dueNs == long.MaxValue)
            {
                return;
            }
            var wait = TimeSpan.FromTicks((long)Math.Ceiling((dueNs / plan.Speed / 100) - time.GetElapsedTime(_startedAt).Ticks));
            if (wait > TimeSpan.Zero)
            {
                // Activities due within a tick leave together: fewer, fuller requests at high rates.
                await Task.Delay(wait < Tick ? Tick : wait, time, cancellationToken);
            }
        }
    }

    private Playing Start(int index, long startNs, Random random, Cast cast, long epochNs)
    {
        var scenario = plan.Scenario ?? Scenarios.Draw(random);
        var steps = new ScenarioSteps(random, epochNs + startNs);
        scenario.Write(steps, cast);
        _played[scenario.Name] = _played.GetValueOrDefault(scenario.Name) + 1;
        Interlocked.Increment(ref _started);
        return new Playing(scenario.Name, index, steps.StartUnixNs, startNs, steps.Steps, ScenarioSteps.SendOrder(steps.Steps, plan.Reorder, random));
    }

    private async Task SendAsync(ActivityLines lines, List<SentActivity> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var result = await ingest.PostAsync(lines.Body, cancellationToken);
                Interlocked.Add(ref _sent, batch.Count);
                Interlocked.Add(ref _accepted, result.Accepted);
                Interlocked.Add(ref _duplicates, result.Duplicates);
                break;
            }
            catch (IngestException e) when (attempt < Backoff.Length
                && (e.Failure == IngestFailure.Transient || (e.Failure == IngestFailure.Unreachable && Interlocked.Read(ref _accepted) + Interlocked.Read(ref _duplicates) > 0)))
            {
                // A hub that took activities before is restarting or busy: the same batch again.
                Retries++;
                await Task.Delay(Backoff[attempt], time, cancellationToken);
            }
            catch (IngestException e) when (e.Failure == IngestFailure.Invalid)
            {
                Interlocked.Add(ref _sent, batch.Count);
                Interlocked.Add(ref _rejected, batch.Count);
                throw new IngestException(e.Failure, "the hub found invalid activities (422), a bug in a scenario; it said:\n" + Describe(e.Fields!, batch), e.Fields);
            }
        }
        if (Sent is { } sent)
        {
            await sent(batch);
        }
        lines.Clear();
        batch.Clear();
    }

    /// <summary>The hub's <c>@fields</c> with the scenario and step of each line.</summary>
    private static string Describe(IReadOnlyDictionary<string, string> fields, List<SentActivity> batch) =>
        string.Join('\n', fields.Select(f =>
        {
            // The hub names a line "line N: path" (ingest.md, Transports).
            var number = f.Key.Split(':')[0];
            var line = number.StartsWith("line ", StringComparison.Ordinal) && int.TryParse(number.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= batch.Count
                ? $" [{batch[n - 1].Scenario}: {batch[n - 1].Activity.Words}]"
                : "";
            return $"  {f.Key}: {f.Value}{line}";
        }));

    /// <summary>A scenario in progress: its steps in send order and the next one to send.</summary>
    private sealed class Playing(string name, int index, long startUnixNs, long startNs, IReadOnlyList<TimedStep> steps, int[] sendOrder)
    {
        private int _next;

        public string Name => name;

        public long StartUnixNs => startUnixNs;

        public bool Done => _next == steps.Count;

        /// <summary>When the next step is sent, in simulated nanoseconds since the run started.</summary>
        public long DueNs => startNs + steps[_next].AtNs;

        /// <summary>The next step's activity, its <c>timestamp_ns</c> and the end of its idempotency key.</summary>
        public (SimulatedActivity Activity, long TimestampNs, string Key) Take()
        {
            var step = steps[sendOrder[_next++]];
            return (step.Build(), startUnixNs + step.AtNs, $"{index}-{sendOrder[_next - 1]}");
        }
    }
}
