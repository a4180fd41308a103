using System.CommandLine;
using System.Globalization;
using Switchboard.Simulate;

namespace Switchboard.Cli;

/// <summary><c>switchboard simulate SCENARIO</c>: plays realistic activity into a running hub through HTTP ingest (ingest.md, Demo producer).</summary>
internal static class SimulateCommand
{
    public const string TokenVariable = "SWITCHBOARD_TOKEN";

    public static Command Create()
    {
        var scenario = new Argument<string>("scenario") { Description = "What to play: one of the scenarios listed above." };
        var hub = new Option<string>("--hub") { Description = "URL of the running hub.", DefaultValueFactory = _ => Hosting.HubSettings.DefaultUrls };
        var token = new Option<string?>("--token") { Description = $"An operator token of the hub (switchboard tokens create --operator); default: the environment variable {TokenVariable}." };
        var account = new Option<long>("--account") { Description = "The account (voip_id) the activities belong to.", DefaultValueFactory = _ => 1000002 };
        var count = new Option<int>("--count") { Description = "How many scenarios to play; above 1 a progress display and a summary replace the log of each activity.", DefaultValueFactory = _ => 1 };
        var rate = new Option<double>("--rate") { Description = "Scenarios started per (simulated) second; they overlap in time.", DefaultValueFactory = _ => 10 };
        var speed = new Option<double>("--speed") { Description = "Simulated seconds per real second: 1 plays in real time, 60 a minute a second, 0 without waiting at all.", DefaultValueFactory = _ => 1 };
        var reorder = new Option<bool>("--reorder") { Description = "Send some closely-timed activities (a few ms apart) in swapped order, as the real platform may; their timestamps stay true." };
        var seed = new Option<int?>("--seed") { Description = "Seed of every random choice. The same seed plays the same activities with the same idempotency keys, so the hub acknowledges a replay as duplicates." };
        var command = new Command("simulate", $"""
            Play realistic activity into a running hub through POST /v4/ingest, as the platform reports it: calls with their legs, messages, recordings, call logs and API errors, with E.164 numbers, extensions, desk phones and the timing of real calls. Each activity carries an idempotency key, so a batch sent again is harmless.

            Scenarios:
            {Scenarios.Help}

            Examples:
              switchboard simulate ring-group --token $TOKEN
              switchboard simulate mix --count 20000 --rate 2000 --speed 0
            """)
        {
            scenario, hub, token, account, count, rate, speed, reorder, seed,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var name = parseResult.GetValue(scenario)!;
            if (!Scenarios.TryFind(name, out var chosen))
            {
                await error.WriteLineAsync($"switchboard simulate: unknown scenario '{name}'. Scenarios:\n{Scenarios.Help}");
                return 2;
            }
            if (!Uri.TryCreate(parseResult.GetValue(hub), UriKind.Absolute, out var hubUrl) || hubUrl.Scheme is not ("http" or "https"))
            {
                await error.WriteLineAsync($"switchboard simulate: --hub {parseResult.GetValue(hub)} is not an http(s) URL, e.g. {Hosting.HubSettings.DefaultUrls}.");
                return 2;
            }
            var operatorToken = parseResult.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable);
            if (string.IsNullOrWhiteSpace(operatorToken))
            {
                await error.WriteLineAsync($"switchboard simulate: an operator token is needed: create one with `switchboard tokens create --operator` and give it with --token or {TokenVariable}.");
                return 2;
            }
            if (parseResult.GetValue(account) < 1 || parseResult.GetValue(count) < 1 || !(parseResult.GetValue(rate) > 0) || !(parseResult.GetValue(speed) >= 0)
                || double.IsInfinity(parseResult.GetValue(rate)) || double.IsNaN(parseResult.GetValue(speed)))
            {
                await error.WriteLineAsync("switchboard simulate: --account and --count are positive integers, --rate a positive number, --speed 0 or more.");
                return 2;
            }
            var given = parseResult.GetValue(seed);
            var seedValue = given ?? Random.Shared.Next();
            var plan = new SimulatePlan(
                name, chosen, hubUrl, operatorToken.Trim(), parseResult.GetValue(account), parseResult.GetValue(count), parseResult.GetValue(rate),
                double.IsPositiveInfinity(parseResult.GetValue(speed)) ? 0 : parseResult.GetValue(speed), parseResult.GetValue(reorder), seedValue,
                given is null ? "sim-" + Guid.NewGuid().ToString("N")[..16] : "sim-seed" + seedValue.ToString(CultureInfo.InvariantCulture));
            // Live progress only on a terminal: a redirected or captured stderr gets plain lines.
            var interactive = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
            return await SimulateRun.RunAsync(plan, output, error, interactive, TimeProvider.System, cancellationToken);
        });
        return command;
    }
}
