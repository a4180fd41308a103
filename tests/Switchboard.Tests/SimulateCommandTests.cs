using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Cli;
using Switchboard.Events;
using Switchboard.Simulate;
using Switchboard.Storage;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// <c>switchboard simulate</c> through the real command line against a real hub, time compressed
/// (<c>--speed 0</c>): what each scenario's activities become once the hub has tagged them and
/// delivered them to a listener, and what the command tells a person when it cannot go on.
/// </summary>
public partial class SimulateCommandTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private readonly TestHub _hub = shared.Hub;

    /// <summary>Activities per scenario, as the help promises and the mix is counted by.</summary>
    private static readonly Dictionary<string, int> Steps = new()
    {
        ["inbound-to-device"] = 8,
        ["ring-group"] = 11,
        ["outbound-from-extension"] = 4,
        ["busy"] = 6,
        ["failed"] = 3,
        ["sms-in"] = 1,
        ["sms-out"] = 2,
        ["mms-in"] = 1,
        ["recording"] = 1,
        ["voicemail"] = 8,
        ["call-log"] = 1,
        ["api-error"] = 1,
    };

    private static readonly string[][] Calls = [["call"]];

    /// <summary>The tags of a call event (tags.md): <paramref name="leg"/> is 1 for the first leg.</summary>
    private static string Call(string state, int leg, string direction, string from, string to) =>
        $"call,{state}-call,{(leg == 1 ? "first-leg" : "not-first-leg")},{direction},from-{from},to-{to}";

    private static string In(string state, int leg) => Call(state, leg, "inbound", "did", leg == 1 ? "did" : "extension");

    private static string Out(string state) => Call(state, 1, "outbound", "extension", "did");

    /// <summary>Scenario, subscriptions of the listener, the tags of its events in timestamp order, the completion statuses of its completed legs.</summary>
    public static TheoryData<string, string[][], string[], string> Plays => new()
    {
        { "inbound-to-device", Calls, [In("new", 1), In("connecting", 1), In("new", 2), In("connecting", 2), In("connected", 2), In("connected", 1), In("completed", 2), In("completed", 1)], "success,success" },
        // events.md, Call legs and ordering: the 11 steps of a ring group.
        { "ring-group", Calls, [In("new", 1), In("connecting", 1), In("new", 2), In("connecting", 2), In("completed", 2), In("new", 3), In("connecting", 3), In("connected", 3), In("connected", 1), In("completed", 3), In("completed", 1)], "cancelled,success,success" },
        { "outbound-from-extension", Calls, [Out("new"), Out("connecting"), Out("connected"), Out("completed")], "success" },
        { "busy", Calls, [In("new", 1), In("connecting", 1), In("new", 2), In("connecting", 2), In("completed", 2), In("completed", 1)], "busy,busy" },
        { "failed", Calls, [Out("new"), Out("connecting"), Out("completed")], "failed" },
        { "voicemail", [["call"], ["recording"]], [In("new", 1), In("connecting", 1), In("new", 2), In("connecting", 2), In("completed", 2), In("connected", 1), In("completed", 1), "recording,voicemail-recording"], "cancelled,success" },
        { "sms-in", [["message"]], ["message,*ms-message,sms-message,received-message,inbound"], "" },
        { "sms-out", [["message"]], ["message,*ms-message,sms-message,sent-message,outbound", "message,*ms-message,sms-message,delivered-message,outbound"], "" },
        { "mms-in", [["message"]], ["message,*ms-message,mms-message,received-message,inbound"], "" },
        { "recording", [["recording"]], ["recording,call-recording"], "" },
        { "call-log", [["call-log"]], ["call-log"], "" },
    };

    [Theory]
    [MemberData(nameof(Plays))]
    public async Task Each_scenario_reaches_a_listener_as_events_with_the_intended_tags(string scenario, string[][] subscriptions, string[] tags, string completions)
    {
        var voipId = 3_100_000 + Steps.Keys.ToList().IndexOf(scenario);
        await using var receiver = await ListenAsync(voipId, subscriptions);

        var (code, output, error) = await Run("simulate", scenario, "--hub", _hub.Url, "--token", await OperatorTokenAsync(), "--account", $"{voipId}", "--speed", "0");

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        Assert.Contains($"{tags.Length} {(tags.Length == 1 ? "activity" : "activities")} sent, {tags.Length} accepted, 0 duplicates, 0 rejected", output, StringComparison.Ordinal);
        var events = await EventsAsync(receiver, tags.Length);
        Assert.Equal(tags, events.Select(TagsOf));
        Assert.Equal(completions, string.Join(',', events.Where(e => TagsOf(e).Contains("completed-call", StringComparison.Ordinal))
            .Select(e => e.GetProperty("data").GetProperty("event_leg").GetProperty("completion_status").GetString())));
        Assert.All(events, e => Assert.Equal(voipId, e.GetProperty("context").GetProperty("voip_id").GetInt64()));
        Assert.All(events, e => Assert.True(EventJson.Read(e).IsValid, $"not a valid event: {e}"));
        Assert.Equal(tags.Length, events.Select(e => e.GetProperty("timestamp_ns").GetInt64()).Distinct().Count());
    }

    [Fact]
    public async Task An_api_error_is_trusted_unless_it_was_a_401()
    {
        const long voipId = 3_100_050;
        await using var receiver = await ListenAsync(voipId, [["api-error"]]);
        var token = await OperatorTokenAsync();

        // Seeds 1 to 8 play both kinds: 401s and others.
        for (var seed = 1; seed <= 8; seed++)
        {
            var (code, output, error) = await Run("simulate", "api-error", "--hub", _hub.Url, "--token", token, "--account", $"{voipId}", "--speed", "0", "--seed", $"{seed}");
            Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        }

        var events = await EventsAsync(receiver, 8);
        var statuses = events.Select(e => e.GetProperty("data").GetProperty("response").GetProperty("status").GetInt32()).ToList();
        Assert.Contains(401, statuses);
        Assert.Contains(statuses, s => s != 401);
        // The help says which failures it plays, not only the 401.
        var (_, help, _) = await Run("simulate", "--help");
        var line = help.Split('\n').First(l => l.TrimStart().StartsWith("api-error ", StringComparison.Ordinal));
        Assert.All(statuses.Distinct(), s => Assert.Contains($"{s}", line, StringComparison.Ordinal));
        Assert.All(events, e => Assert.Equal(
            e.GetProperty("data").GetProperty("response").GetProperty("status").GetInt32() == 401 ? "api-error" : "api-error,api-error-trusted",
            TagsOf(e)));
        Assert.All(events, e => Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", e.GetProperty("data_object_uuid").GetString()));
    }

    [Fact]
    public async Task With_reorder_closely_timed_activities_are_sent_swapped_but_keep_their_moments()
    {
        const long ordered = 3_100_060, reordered = 3_100_061;
        await using var receiver = await ListenAsync(reordered, Calls);
        var token = await OperatorTokenAsync();

        var plain = await Run("simulate", "ring-group", "--hub", _hub.Url, "--token", token, "--account", $"{ordered}", "--speed", "0", "--seed", "7");
        var swapped = await Run("simulate", "ring-group", "--hub", _hub.Url, "--token", token, "--account", $"{reordered}", "--speed", "0", "--seed", "7", "--reorder");

        Assert.True(swapped.Code == 0, $"exit {swapped.Code}\n{swapped.Output}\n{swapped.Error}");
        var natural = LegSteps(plain.Output);
        var sent = LegSteps(swapped.Output);
        Assert.Equal(["leg 1 new", "leg 1 connecting", "leg 2 new", "leg 2 connecting", "leg 2 completed", "leg 3 new", "leg 3 connecting", "leg 3 connected", "leg 1 connected", "leg 3 completed", "leg 1 completed"], natural);
        Assert.NotEqual(natural, sent);
        Assert.Equal(natural.Order(), sent.Order());
        // Each step moved by one place at most, and only when its neighbour was a few ms away:
        // not across the ringing (seconds) or the talk.
        Assert.All(sent.Select((step, i) => Math.Abs(natural.IndexOf(step) - i)), moved => Assert.InRange(moved, 0, 1));
        int[] close = [0, 1, 4, 5, 7, 8, 9, 10];
        Assert.All(Enumerable.Range(0, 11).Where(i => sent[i] != natural[i]), i => Assert.Contains(i, close));

        // Delivered, they still sort by timestamp into the 11 steps of events.md.
        var events = await EventsAsync(receiver, 11);
        Assert.Equal(Plays.Single(p => (string)p[0] == "ring-group")[2] as string[], events.Select(TagsOf));
    }

    [Fact]
    public async Task Played_faster_than_real_time_each_line_shows_its_simulated_time_from_the_start_not_a_clock()
    {
        var (code, output, error) = await Run("simulate", "ring-group", "--hub", _hub.Url, "--token", await OperatorTokenAsync(), "--account", "3100062", "--speed", "0", "--seed", "7");

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("(--speed 0: times are simulated, from the scenario's start)", lines[0].TrimEnd(), StringComparison.Ordinal);
        var times = lines.Where(l => l.Contains(" call ", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(' ', StringComparison.Ordinal)]).ToList();
        Assert.Equal(11, times.Count);
        Assert.Equal("+00:00.000", times[0]);
        Assert.All(times, t => Assert.Matches(@"^\+\d\d:\d\d\.\d{3}$", t));
        // The ring group's 20 s of ringing, though the run took a fraction of a second.
        Assert.True(TimeSpan.ParseExact(times[^1][1..], @"mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture) > TimeSpan.FromSeconds(20), times[^1]);
    }

    [Fact]
    public async Task A_mix_plays_the_count_of_scenarios_and_a_replay_of_its_seed_is_acknowledged_as_duplicates()
    {
        const long voipId = 3_100_070;
        await using var receiver = await ListenAsync(voipId, [["call"], ["message"], ["recording"], ["call-log"], ["api-error"]]);
        string[] args = ["simulate", "mix", "--hub", _hub.Url, "--token", await OperatorTokenAsync(), "--account", $"{voipId}", "--count", "60", "--rate", "500", "--speed", "0", "--seed", "11"];

        var (code, output, error) = await Run(args);

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        var played = PlayedPattern().Match(output);
        Assert.True(played.Success, output);
        var counts = played.Groups[1].Value.Split(", ").Select(p => p.Split(' ')).ToDictionary(p => p[1], p => int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(60, counts.Values.Sum());
        Assert.True(counts.Count >= 5, $"a mix of 60 played only {string.Join(", ", counts.Keys)}");
        var activities = counts.Sum(c => c.Value * Steps[c.Key]);
        Assert.Contains($"activities  {activities} sent, {activities} accepted, 0 duplicates, 0 rejected", output, StringComparison.Ordinal);
        var events = await EventsAsync(receiver, activities);
        Assert.Equal(activities, events.Count);
        Assert.Equal(counts.GetValueOrDefault("sms-in") + counts.GetValueOrDefault("mms-in"), events.Count(e => TagsOf(e).Contains("received-message", StringComparison.Ordinal)));

        var replay = await Run(args);

        Assert.True(replay.Code == 0, $"exit {replay.Code}\n{replay.Output}\n{replay.Error}");
        Assert.Contains($"activities  {activities} sent, 0 accepted, {activities} duplicates, 0 rejected", replay.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_that_is_not_an_operator_token_is_refused_saying_how_to_create_one()
    {
        var (_, accountToken) = await _hub.Services.GetRequiredService<TokenStore>().CreateAsync(TokenScope.Account, 1000002, null, CancellationToken.None);

        foreach (var token in new[] { "not-a-token", accountToken })
        {
            var (code, output, error) = await Run("simulate", "sms-in", "--hub", _hub.Url, "--token", token, "--speed", "0");

            Assert.Equal(1, code);
            Assert.Contains("switchboard tokens create --operator", error, StringComparison.Ordinal);
            Assert.Contains(token == accountToken ? "403" : "401", error, StringComparison.Ordinal);
            Assert.DoesNotContain("accepted", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_token_may_come_from_the_environment()
    {
        // Only this class runs simulate, and its tests run one at a time.
        Environment.SetEnvironmentVariable(SimulateCommand.TokenVariable, await OperatorTokenAsync());
        try
        {
            var (code, output, error) = await Run("simulate", "call-log", "--hub", _hub.Url, "--account", "3100090", "--speed", "0");

            Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
            Assert.Contains("1 activity sent, 1 accepted", output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SimulateCommand.TokenVariable, null);
        }
    }

    [Fact]
    public async Task Without_a_token_the_command_says_how_to_create_one()
    {
        var (code, _, error) = await Run("simulate", "sms-in", "--hub", _hub.Url, "--token", " ");

        Assert.Equal(2, code);
        Assert.Contains("switchboard tokens create --operator", error, StringComparison.Ordinal);
        Assert.Contains("SWITCHBOARD_TOKEN", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_hub_is_named_with_how_to_start_one()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();

        var (code, _, error) = await Run("simulate", "ring-group", "--hub", url, "--token", "t", "--speed", "0");

        Assert.Equal(1, code);
        Assert.Contains($"no hub answers at {url}", error, StringComparison.Ordinal);
        Assert.Contains("switchboard serve", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_scenario_is_refused_listing_the_scenarios()
    {
        var (code, _, error) = await Run("simulate", "fax", "--token", "t");

        Assert.Equal(2, code);
        Assert.Contains("unknown scenario 'fax'", error, StringComparison.Ordinal);
        Assert.All(Steps.Keys.Append("mix"), name => Assert.Matches($@"(?m)^\s+{name}\s+\S", error));
    }

    [Fact]
    public async Task The_help_lists_every_scenario_with_a_line_saying_what_it_plays()
    {
        var (code, output, _) = await Run("simulate", "--help");

        Assert.Equal(0, code);
        foreach (var (name, steps) in Steps)
        {
            Assert.Matches($@"(?m)^\s+{name}\s+\S.*\({steps}( activities|, |\))", output);
        }
        Assert.Matches(@"(?m)^\s+mix\s+\S", output);
    }

    [Fact]
    public async Task A_rejected_batch_is_reported_with_the_hubs_fields_and_the_scenario_of_each_line()
    {
        var broken = new Scenario("broken", "a message without a state", 0, (steps, cast) => steps.Then(() => new SimulatedActivity(
            new MessageData { Uuid = cast.Uuid(), Inbox = new Inbox { Did = Cast.MainNumber }, From = Participant.Did("+12125550199"), To = [], Message = "", Media = [] },
            () => "stateless sms")));
        var plan = new SimulatePlan("broken", broken, new Uri(_hub.Url), await OperatorTokenAsync(), 3_100_080, 2, 1000, 0, false, 1, "sim-test");
        using var http = IngestClient.Connect(plan.Hub, plan.Token);
        var player = new ScenarioPlayer(plan, new IngestClient(http), TimeProvider.System);

        var e = await Assert.ThrowsAsync<IngestException>(() => player.RunAsync(CancellationToken.None));

        Assert.Equal(IngestFailure.Invalid, e.Failure);
        Assert.Contains("line 2: data.state", e.Fields!.Keys);
        Assert.Contains("a bug in a scenario", e.Message, StringComparison.Ordinal);
        Assert.Matches(@"line 2: data\.state: .+ \[broken: stateless sms\]", e.Message);
        Assert.Equal(2, player.Rejected);
    }

    [Fact]
    public async Task The_ingest_client_names_the_fields_of_a_422_in_its_message()
    {
        using var http = IngestClient.Connect(new Uri(_hub.Url), await OperatorTokenAsync());

        var e = await Assert.ThrowsAsync<IngestException>(() => new IngestClient(http).PostAsync(
            Encoding.UTF8.GetBytes("""{"voip_id": 1000002, "data_type": "fax", "data": {}}""" + "\n"), CancellationToken.None));

        Assert.Equal(IngestFailure.Invalid, e.Failure);
        Assert.Contains("422", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 1: data_type: must be one of", e.Message, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await SwitchboardCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private async Task<string> OperatorTokenAsync() =>
        (await _hub.Services.GetRequiredService<TokenStore>().CreateAsync(TokenScope.Operator, null, null, CancellationToken.None)).Token;

    /// <summary>A receiver and an account listener delivering to it.</summary>
    private async Task<Receiver> ListenAsync(long voipId, string[][] subscriptions)
    {
        var receiver = await Receiver.StartAsync();
        using var account = await _hub.ClientAsync(TokenScope.Account, voipId);
        await Pipeline.ListenAsync(account, $"/v4/accounts/{voipId}/integrations/events", receiver.Url, subscriptions);
        return receiver;
    }

    /// <summary>The events once <paramref name="count"/> have arrived, in the order they happened.</summary>
    private static async Task<List<JsonElement>> EventsAsync(Receiver receiver, int count)
    {
        await receiver.WaitForEventsAsync(count);
        return [.. receiver.Events.Select(r => Parse(r.Body)).OrderBy(e => e.GetProperty("timestamp_ns").GetInt64())];
    }

    private static string TagsOf(JsonElement e) => string.Join(',', e.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

    /// <summary>"leg 2 completed" for each call activity the command printed, in the order it sent them.</summary>
    private static List<string> LegSteps(string output) =>
        [.. LegPattern().Matches(output).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^\S+\s+call\s+(leg \d \w+)", RegexOptions.Multiline)]
    private static partial Regex LegPattern();

    [GeneratedRegex(@"scenarios\s+60 of 60 \(([^)]*)\)")]
    private static partial Regex PlayedPattern();
}
