using System.CommandLine;
using Switchboard.Bench;

namespace Switchboard.Cli;

/// <summary><c>switchboard bench</c>: pushes activities through a hub to a loopback receiver and reports throughput, latency and memory.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var activities = new Option<int>("--activities") { Description = "Activities to ingest.", DefaultValueFactory = _ => 100_000 };
        var accounts = new Option<int>("--accounts") { Description = "Accounts, each with one callback (the receiver) and its listeners.", DefaultValueFactory = _ => 100 };
        var listeners = new Option<int>("--listeners-per-account") { Description = "Listeners per account, each subscribed to [\"call\"]: every activity is delivered this many times.", DefaultValueFactory = _ => 10 };
        var rate = new Option<double>("--rate") { Description = "Activities offered per second; 0 sends as fast as the hub takes them.", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "NDJSON lines per ingest request (0: 100 at full speed, rate/200 when paced)." };
        var senders = new Option<int>("--senders") { Description = "Ingest requests in flight at most (0: 4 at full speed; 256 when paced, where each batch leaves at its time without waiting for earlier answers)." };
        var hub = new Option<string?>("--hub") { Description = "URL of a running hub to load instead of starting one (needs --token, and Delivery:AllowPrivateNetworks=true on that hub)." };
        var token = new Option<string?>("--token") { Description = "Operator token of the --hub." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder of the in-process hub's SQLite database (default: a temporary folder, deleted afterwards)." };
        var postgres = new Option<string?>("--postgres") { Description = $"Run the hub on this PostgreSQL database (an Npgsql connection string; also {StorageOption.EnvironmentVariable}) instead of a temporary SQLite file. The bench's accounts are removed afterwards.", HelpName = "connection string" };
        var nodes = new Option<int>("--nodes") { Description = "With --postgres: how many hub processes share the database; ingest is spread over them.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object (the last line stays the bench: line)." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for all deliveries before reporting what arrived.", DefaultValueFactory = _ => 240 };
        var baseline = new Option<double>("--baseline-seconds") { Description = "How long the raw HttpClient baseline runs.", DefaultValueFactory = _ => 5 };
        var callSteps = new Option<int>("--call-steps") { Description = "Activities per call (one data_object_uuid): 1 makes each activity a call of its own; 11 is the shape of a ring-group call, its steps spread over --calls-in-flight calls at once.", DefaultValueFactory = _ => 1 };
        var callsInFlight = new Option<int>("--calls-in-flight") { Description = "With --call-steps above 1: how many calls advance a step each in turn.", DefaultValueFactory = _ => 2_000 };
        var ordered = new Option<bool>("--ordered") { Description = "Create the listeners ordered: each call's events one at a time, in order (docs/delivery.md, Ordered listeners). Compare with the same --call-steps unordered." };
        var deadCallbacks = new Option<int>("--dead-callbacks") { Description = "Of the --accounts callbacks, this many die once created: a socket on 127.0.0.1 that stops accepting, so every request to them times out connecting (Delivery:DefaultTimeoutSeconds), as to a host that is gone. Their events are not expected; compare the live callbacks' deliveries/s with a run of 0." };
        var rawConcurrency = new Option<int>("--raw-concurrency") { Description = "Requests in flight in the raw baseline (0: Delivery:MaxInFlightPerCallback x callbacks, at most 256)." };
        var command = new Command("bench", "Load test: starts a hub on a temporary SQLite database (or loads --hub), a loopback receiver and listeners, ingests activities over HTTP, and reports deliveries per second, latency from ingest to receiver, a raw HttpClient baseline and peak memory. Settings of the in-process hub can be given as --Section:Key=value.")
        {
            activities, accounts, listeners, rate, batch, senders, hub, token, dataDir, postgres, nodes, json, timeout, baseline, rawConcurrency, callSteps, callsInFlight, ordered, deadCallbacks,
        };
        // --Section:Key=value settings are for the in-process hub (as with serve).
        command.TreatUnmatchedTokensAsErrors = false;
        command.Validators.Add(result =>
        {
            if ((result.GetValue(hub) is null) != (result.GetValue(token) is null))
            {
                result.AddError("--hub and --token go together: the URL of a running hub and its operator token.");
            }
            else if (result.GetValue(hub) is not null && (result.GetValue(dataDir) is not null || result.GetValue(postgres) is not null))
            {
                result.AddError("--data-dir and --postgres are for the hub the bench starts; a --hub keeps its own data.");
            }

        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = parseResult.UnmatchedTokens;
            var error = parseResult.InvocationConfiguration.Error;
            if (settings.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) || !a.Contains(':', StringComparison.Ordinal)) is { } unknown)
            {
                await error.WriteLineAsync($"switchboard bench: unknown argument {unknown}. Hub settings are written --Section:Key=value; see switchboard bench --help.");
                return 2;
            }
            if (parseResult.GetValue(activities) < 1 || parseResult.GetValue(accounts) < 1 || parseResult.GetValue(listeners) < 1)
            {
                await error.WriteLineAsync("switchboard bench: --activities, --accounts and --listeners-per-account are positive integers.");
                return 2;
            }
            if (parseResult.GetValue(rate) < 0 || parseResult.GetValue(batch) < 0 || parseResult.GetValue(senders) < 0 || parseResult.GetValue(rawConcurrency) < 0
                || parseResult.GetValue(timeout) < 1 || parseResult.GetValue(baseline) <= 0)
            {
                await error.WriteLineAsync("switchboard bench: --rate, --batch, --senders and --raw-concurrency cannot be negative; --timeout and --baseline-seconds must be positive.");
                return 2;
            }
            if (settings.Count > 0 && parseResult.GetValue(hub) is not null)
            {
                await error.WriteLineAsync("switchboard bench: --Section:Key=value settings are for the in-process hub; a --hub has its own.");
                return 2;
            }
            if (parseResult.GetValue(callSteps) is < 1 or > 1000 || parseResult.GetValue(callsInFlight) < 1)
            {
                await error.WriteLineAsync("switchboard bench: --call-steps is from 1 to 1000 and --calls-in-flight positive.");
                return 2;
            }
            if (parseResult.GetValue(deadCallbacks) < 0 || parseResult.GetValue(deadCallbacks) >= parseResult.GetValue(accounts))
            {
                await error.WriteLineAsync("switchboard bench: --dead-callbacks is from 0 to one less than --accounts: some callbacks must live.");
                return 2;
            }
            var onPostgres = parseResult.GetValue(postgres) is not null || Environment.GetEnvironmentVariable(StorageOption.EnvironmentVariable) is { Length: > 0 };
            if (parseResult.GetValue(nodes) is < 1 or > 16 || (parseResult.GetValue(nodes) > 1 && !onPostgres))
            {
                await error.WriteLineAsync("switchboard bench: --nodes is from 1 to 16, and more than 1 needs --postgres: nodes share a PostgreSQL database, never a SQLite file.");
                return 2;
            }
            var plan = new BenchPlan(
                parseResult.GetValue(activities), parseResult.GetValue(accounts), parseResult.GetValue(listeners), parseResult.GetValue(rate),
                parseResult.GetValue(batch), parseResult.GetValue(senders), parseResult.GetValue(hub)?.TrimEnd('/'), parseResult.GetValue(token),
                parseResult.GetValue(dataDir), parseResult.GetValue(json), parseResult.GetValue(timeout), parseResult.GetValue(baseline),
                parseResult.GetValue(rawConcurrency), settings,
                parseResult.GetValue(hub) is null ? parseResult.GetValue(postgres) ?? (Environment.GetEnvironmentVariable(StorageOption.EnvironmentVariable) is { Length: > 0 } set ? set : null) : null,
                parseResult.GetValue(nodes), parseResult.GetValue(callSteps), parseResult.GetValue(callsInFlight), parseResult.GetValue(ordered),
                parseResult.GetValue(deadCallbacks));
            // Live progress only on a terminal: a redirected or captured stderr gets plain lines.
            var interactive = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
            return await BenchRun.RunAsync(plan, parseResult.InvocationConfiguration.Output, error, interactive, cancellationToken);
        });
        return command;
    }
}
