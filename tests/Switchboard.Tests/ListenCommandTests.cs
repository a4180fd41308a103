using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Cli;
using Switchboard.Events;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary><c>switchboard listen</c> through the real command line, receiving over real HTTP, registered with a real hub.</summary>
public class ListenCommandTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string ConnectedFixture = "inbound-call-to-device/5-2nd-leg-connected.json";
    private const string ConnectedTags = "[call,connected-call,not-first-leg,inbound,from-did,to-extension]";

    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Registered_with_a_hub_it_prints_each_delivered_event_and_removes_what_it_made_when_stopped()
    {
        const long voipId = 3_100_001;
        var accountBase = $"/v4/accounts/{voipId}/integrations/events";
        using var account = await shared.Hub.ClientAsync(TokenScope.Account, voipId);
        using var ingest = await shared.Hub.ClientAsync(TokenScope.Operator);
        await using var listen = await RunningListen.StartAsync(
            "listen", "--port", "0", "--hub", shared.Hub.Url, "--token", TokenOf(account), "--account", voipId.ToString(CultureInfo.InvariantCulture));

        var registered = await listen.Output.WaitForLineAsync(l => l.StartsWith("Registered with", StringComparison.Ordinal), "Registered with", stopsEarly: listen.Exit);
        var ids = Regex.Match(registered, @"callback (\d+) → (\S+), listener (\d+), subscriptions \[call\] \[message\] \[call-log\] \[recording\] \[api-error\] \[deactivated-listener-callback\]");
        Assert.True(ids.Success, registered);
        var (callbackId, listenerId) = (long.Parse(ids.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(ids.Groups[3].Value, CultureInfo.InvariantCulture));
        Assert.Equal(listen.Url + "hook", ids.Groups[2].Value);

        var overview = await ExpectAsync(await account.GetAsync($"{accountBase}/overview"), HttpStatusCode.OK);
        var item = Assert.Single(overview.GetProperty("items").EnumerateArray());
        Assert.Equal(listenerId, item.GetProperty("id").GetInt64());
        var callback = item.GetProperty(":callback");
        Assert.Equal(callbackId, callback.GetProperty("id").GetInt64());
        Assert.Equal(listen.Url + "hook", callback.GetProperty("config").GetProperty("url").GetString());
        Assert.True(callback.GetProperty("config").GetProperty("secret").GetBoolean(), "the callback has no secret: deliveries would not be signed");
        Assert.Equal(
            [["call"], ["message"], ["call-log"], ["recording"], ["api-error"], ["deactivated-listener-callback"]],
            item.GetProperty(":subscriptions").EnumerateArray().Select(s => s.GetProperty(":tags").EnumerateArray().Select(t => t.GetString()).ToArray()));
        // The hub's test request was signed with the secret listen gave it, and passed the check.
        Assert.Contains(listen.Output.Lines, l => l.Contains("verification request {\"test\": 1}", StringComparison.Ordinal) && l.EndsWith("answered 200", StringComparison.Ordinal));

        await Pipeline.IngestAsync(ingest, Pipeline.ActivityOf(ConnectedFixture, voipId));
        var line = await listen.Output.WaitForLineAsync(l => l.Contains("call 2nd leg", StringComparison.Ordinal), "the delivered call event");

        Assert.Matches($@"^\d\d:\d\d:\d\d\.\d{{3}}  listener {listenerId}  call 2nd leg → ext 500 connected  {Regex.Escape(ConnectedTags)}$", line);
        Assert.DoesNotContain(listen.Output.Lines, l => l.Contains("  ! ", StringComparison.Ordinal));

        Assert.Equal(0, await listen.StopAsync());
        Assert.Contains($"Removed listener {listenerId} and callback {callbackId} from {shared.Hub.Url}", listen.Output.ToString(), StringComparison.Ordinal);
        await ErrorAsync(await account.GetAsync($"{accountBase}/listeners/{listenerId}"), HttpStatusCode.NotFound);
        await ErrorAsync(await account.GetAsync($"{accountBase}/callbacks/{callbackId}"), HttpStatusCode.NotFound);
        var after = await ExpectAsync(await account.GetAsync($"{accountBase}/overview"), HttpStatusCode.OK);
        Assert.Equal(0, after.GetProperty("total").GetInt64());
    }

    /// <summary>
    /// The real executable, stopped by a signal: Ctrl+C (SIGINT) and SIGTERM take the same path. SIGTERM
    /// is sent because a test runner started in the background may have SIGINT ignored, which its
    /// children inherit.
    /// </summary>
    [Fact]
    public async Task Stopped_by_a_signal_the_process_removes_what_it_registered()
    {
        const long voipId = 3_100_004;
        var overviewUrl = $"/v4/accounts/{voipId}/integrations/events/overview";
        using var account = await shared.Hub.ClientAsync(TokenScope.Account, voipId);
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "switchboard.dll"),
            "listen", "--port", "0", "--hub", shared.Hub.Url, "--token", TokenOf(account), "--account", voipId.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = new LiveWriter();
        process.OutputDataReceived += (_, line) => output.WriteLine(line.Data);
        process.ErrorDataReceived += (_, line) => output.WriteLine(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await output.WaitForLineAsync(l => l.StartsWith("Registered with", StringComparison.Ordinal), "Registered with", TimeSpan.FromSeconds(60), process.WaitForExitAsync());
            Assert.Equal(1, (await ExpectAsync(await account.GetAsync(overviewUrl), HttpStatusCode.OK)).GetProperty("total").GetInt64());

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}:\n{output}");
        Assert.Contains(output.Lines, l => l.StartsWith("Removed listener", StringComparison.Ordinal));
        Assert.Equal(0, (await ExpectAsync(await account.GetAsync(overviewUrl), HttpStatusCode.OK)).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Each_tags_option_is_one_subscription_and_only_its_events_are_printed()
    {
        const long voipId = 3_100_002;
        using var account = await shared.Hub.ClientAsync(TokenScope.Account, voipId);
        using var ingest = await shared.Hub.ClientAsync(TokenScope.Operator);
        await using var listen = await RunningListen.StartAsync(
            "listen", "--port", "0", "--hub", shared.Hub.Url, "--token", TokenOf(account), "--account", voipId.ToString(CultureInfo.InvariantCulture),
            "--tags", "call,new-call", "--tags", "recording");
        await listen.Output.WaitForLineAsync(l => l.StartsWith("Registered with", StringComparison.Ordinal), "Registered with", stopsEarly: listen.Exit);

        var overview = await ExpectAsync(await account.GetAsync($"/v4/accounts/{voipId}/integrations/events/overview"), HttpStatusCode.OK);
        var item = Assert.Single(overview.GetProperty("items").EnumerateArray());
        Assert.Equal(
            [["call", "new-call"], ["recording"]],
            item.GetProperty(":subscriptions").EnumerateArray().Select(s => s.GetProperty(":tags").EnumerateArray().Select(t => t.GetString()).ToArray()));

        // A connected call matches neither subscription; the recording after it does.
        await Pipeline.IngestAsync(ingest, Pipeline.ActivityOf(ConnectedFixture, voipId));
        await Pipeline.IngestAsync(ingest, Pipeline.ActivityOf("recording.json", voipId));
        await listen.Output.WaitForLineAsync(l => l.Contains("call recording ready", StringComparison.Ordinal), "the recording");

        Assert.DoesNotContain(listen.Output.Lines, l => l.Contains("call 2nd leg", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hub_that_refuses_loopback_callbacks_is_explained_and_nothing_is_left_behind()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:AllowPrivateNetworks=false");
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);

        var (code, output, error) = await RunToEndAsync("listen", "--port", "0", "--hub", hub.Url, "--token", TokenOf(account), "--account", "1000002");

        Assert.Equal(1, code);
        Assert.DoesNotContain("Listening on", output, StringComparison.Ordinal);
        Assert.Contains("refuses to call back to http://127.0.0.1:", error, StringComparison.Ordinal);
        Assert.Contains("switchboard serve --Delivery:AllowPrivateNetworks=true", error, StringComparison.Ordinal);
        var overview = await ExpectAsync(await account.GetAsync($"{AccountBase}/overview"), HttpStatusCode.OK);
        Assert.Equal(0, overview.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task A_token_the_hub_does_not_know_is_explained()
    {
        var (code, output, error) = await RunToEndAsync("listen", "--port", "0", "--hub", shared.Hub.Url, "--token", "not-a-token", "--account", "1000002");

        Assert.Equal(1, code);
        Assert.DoesNotContain("Listening on", output, StringComparison.Ordinal);
        Assert.Contains("the hub refused the token (401)", error, StringComparison.Ordinal);
        Assert.Contains("switchboard tokens create --account 1000002", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_of_another_account_is_explained()
    {
        using var other = await shared.Hub.ClientAsync(TokenScope.Account, 2000003);

        var (code, _, error) = await RunToEndAsync("listen", "--port", "0", "--hub", shared.Hub.Url, "--token", TokenOf(other), "--account", "3100003");

        Assert.Equal(1, code);
        Assert.Contains("the token may not manage account 3100003 (403)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hub_that_does_not_answer_is_explained()
    {
        var closedPort = FreePort();

        var (code, _, error) = await RunToEndAsync("listen", "--port", "0", "--hub", $"http://127.0.0.1:{closedPort}", "--token", "t", "--account", "1000002");

        Assert.Equal(1, code);
        Assert.Contains($"cannot reach the hub at http://127.0.0.1:{closedPort}/: connection refused", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_explained()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (code, _, error) = await RunToEndAsync("listen", "--port", port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, code);
        Assert.Contains($"port {port} on 127.0.0.1 is in use", error, StringComparison.Ordinal);
        Assert.Contains("--port 0", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_secret_a_signed_event_is_printed_and_badly_signed_or_unsigned_ones_get_401_and_a_warning()
    {
        await using var listen = await RunningListen.StartAsync("listen", "--port", "0", "--secret", Secret);
        var body = Compact(ConnectedFixture);

        using var signed = await Http.SendAsync(Signed(listen.Url + "hook", body, Secret));
        using var forged = await Http.SendAsync(Signed(listen.Url + "hook", body, WebhookSignature.GenerateSecret()));
        using var unsigned = await Http.PostAsync(listen.Url + "hook", Json(body));
        using var stale = await Http.SendAsync(Signed(listen.Url + "hook", body, Secret, DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds()));

        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        var lines = listen.Output.Lines;
        Assert.Single(lines, l => l.Contains("listener 1000  call 2nd leg → ext 500 connected", StringComparison.Ordinal));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\d\d:\d\d:\d\d\.\d{3}  ! POST /hook refused with 401: the signature does not match the secret$"));
        Assert.Contains(lines, l => l.EndsWith("! POST /hook refused with 401: not signed (no webhook-signature header), and a secret is set", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("refused with 401: webhook-timestamp is more than 5 minutes old", StringComparison.Ordinal));
        Assert.Contains("does not match the secret", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_prints_each_event_as_received_on_one_line_and_nothing_else_on_stdout()
    {
        await using var listen = await RunningListen.StartAsync("listen", "--port", "0", "--json");
        var compact = Compact("message.json");
        var pretty = File.ReadAllText(Pipeline.FixturePath("recording.json"));
        Assert.Contains('\n', pretty);

        using var verification = await Http.PostAsync(listen.Url + "hook", Json("""{"test": 1}"""));
        using var first = await Http.PostAsync(listen.Url + "hook", Json(compact));
        using var second = await Http.PostAsync(listen.Url + "other/path", Json(pretty));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var lines = listen.Output.Lines;
        Assert.Equal(2, lines.Count);
        Assert.Equal(compact, lines[0]);
        Assert.True(JsonElement.DeepEquals(Pipeline.Parse(pretty), Pipeline.Parse(lines[1])), lines[1]);
        Assert.Contains(listen.Error.Lines, l => l.Contains("verification request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_verification_request_is_answered_200_and_printed_as_such()
    {
        await using var listen = await RunningListen.StartAsync("listen", "--port", "0");

        using var response = await Http.PostAsync(listen.Url + "hook", Json("""{"test": 1}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = Assert.Single(listen.Output.Lines, l => l.Contains("verification", StringComparison.Ordinal));
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3}  verification request \{""test"": 1\} answered 200$", line);
        Assert.DoesNotContain(listen.Output.Lines, l => l.Contains("listener", StringComparison.Ordinal) && !l.StartsWith("Listening", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_and_delete_carry_the_event_in_the_event_query_parameter()
    {
        await using var listen = await RunningListen.StartAsync("listen", "--port", "0", "--secret", Secret);
        var body = Compact("call-log.json");
        var query = "?event=" + Uri.EscapeDataString(body);

        using var get = await Http.SendAsync(Signed(listen.Url + "get" + query, null, Secret, method: HttpMethod.Get, signedBody: body));
        using var delete = await Http.SendAsync(Signed(listen.Url + "delete" + query, null, Secret, method: HttpMethod.Delete, signedBody: body));
        using var bare = await Http.SendAsync(Signed(listen.Url + "bare", null, Secret, method: HttpMethod.Get, signedBody: body));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Equal(2, listen.Output.Lines.Count(l => l.Contains("call log ready for call 11111111-1111-1111-1111-111111111111", StringComparison.Ordinal)));
        Assert.Contains(listen.Output.Lines, l => l.Contains("! GET /bare refused with 400: a GET carries the event in one event query parameter", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_body_that_is_not_an_event_gets_400_naming_the_broken_rule()
    {
        await using var listen = await RunningListen.StartAsync("listen", "--port", "0");
        var broken = Compact(ConnectedFixture).Replace("\"connected\"", "\"ringing\"", StringComparison.Ordinal);

        using var response = await Http.PostAsync(listen.Url + "hook", Json(broken));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var line = Assert.Single(listen.Output.Lines, l => l.Contains("refused", StringComparison.Ordinal));
        Assert.Contains("! POST /hook refused with 400: not an Events v2 event: data.event_leg.state", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_line_names_the_port_that_was_picked()
    {
        await using var listen = await RunningListen.StartAsync("listen", "--port", "0");

        Assert.Matches(@"^Listening on http://127\.0\.0\.1:\d+/ \(any path\)\. Ctrl\+C to stop\.$", listen.Output.Lines[0]);
        Assert.NotEqual(":0/", listen.Url[^3..]);
        Assert.Equal(0, await listen.StopAsync());
    }

    [Fact]
    public async Task Help_names_every_option()
    {
        var (code, output, _) = await RunToEndAsync("listen", "--help");

        Assert.Equal(0, code);
        foreach (var option in new[] { "--port", "--secret", "--hub", "--token", "--account", "--tags", "--json" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
        Assert.Contains("AllowPrivateNetworks", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--tags call", "give --hub URL too")]
    [InlineData("--hub http://127.0.0.1:8080 --token t --account 1 --tags call,ringing", "unknown tag ringing")]
    [InlineData("--hub http://127.0.0.1:8080 --token t", "--hub needs --token (an account token) and --account")]
    [InlineData("--secret not-base64!", "--secret is a Standard Webhooks secret")]
    public async Task Options_that_do_not_fit_are_refused_before_anything_starts(string args, string message)
    {
        var (code, _, error) = await RunToEndAsync(["listen", "--port", "0", .. args.Split(' ')]);

        Assert.NotEqual(0, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private static string TokenOf(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;

    private static string Compact(string fixture) => JsonSerializer.Serialize(Pipeline.Parse(File.ReadAllText(Pipeline.FixturePath(fixture))));

    private static HttpRequestMessage Signed(string url, string? body, string secret, long? timestamp = null, HttpMethod? method = null, string? signedBody = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Post, url);
        if (body is not null)
        {
            request.Content = Json(body);
        }
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var at = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", at.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new WebhookSignature(secret).Sign(id, at, signedBody ?? body ?? ""));
        return request;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<(int Code, string Output, string Error)> RunToEndAsync(params string[] args)
    {
        await using var listen = RunningListen.Start(args);
        var code = await listen.Exit.WaitAsync(TimeSpan.FromSeconds(60));
        return (code, listen.Output.ToString(), listen.Error.ToString());
    }

    /// <summary><c>switchboard listen</c> running in-process until <see cref="StopAsync"/>, as Ctrl+C would stop it.</summary>
    private sealed class RunningListen : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        private RunningListen(string[] args)
        {
            Exit = SwitchboardCommand.Create().Parse(args).InvokeAsync(
                new InvocationConfiguration { Output = Output, Error = Error, ProcessTerminationTimeout = null }, _stop.Token);
        }

        public LiveWriter Output { get; } = new();

        public LiveWriter Error { get; } = new();

        public Task<int> Exit { get; }

        /// <summary>The receiver's base URL, from the first line.</summary>
        public string Url { get; private set; } = "";

        public static RunningListen Start(params string[] args) => new(args);

        /// <summary>Starts and waits for the line that names the URL (on stderr with --json).</summary>
        public static async Task<RunningListen> StartAsync(params string[] args)
        {
            var listen = new RunningListen(args);
            var notes = args.Contains("--json") ? listen.Error : listen.Output;
            var line = await notes.WaitForLineAsync(l => l.StartsWith("Listening on ", StringComparison.Ordinal), "Listening on", stopsEarly: listen.Exit);
            listen.Url = line["Listening on ".Length..line.IndexOf(' ', "Listening on ".Length)];
            return listen;
        }

        public async Task<int> StopAsync()
        {
            await _stop.CancelAsync();
            return await Exit.WaitAsync(TimeSpan.FromSeconds(30));
        }

        public async ValueTask DisposeAsync()
        {
            if (!Exit.IsCompleted)
            {
                await StopAsync();
            }
            _stop.Dispose();
        }
    }
}
