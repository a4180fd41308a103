using System.CommandLine;
using System.Text.Json;
using Switchboard.Cli;

namespace Switchboard.Tests;

/// <summary><c>switchboard bench</c> with tiny numbers, through the real command line: what it reports, not how fast.</summary>
public class BenchCommandTests
{
    private const string FinalLine = @"^bench: deliveries_per_s=\d+ p50_ms=\d+\.\d p99_ms=\d+\.\d raw_http_per_s=\d+ ratio=\d+\.\d\d rss_mb=\d+ hub_cpu_us_per_delivery=\d+\.\d hub_alloc_bytes_per_delivery=\d+ hub_peak_rss_mb=\d+$";

    private static async Task<(int Code, string[] Lines, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await SwitchboardCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString().TrimEnd().Split(Environment.NewLine), error.ToString());
    }

    [Fact]
    public async Task Every_activity_reaches_every_listener_of_its_account_and_the_last_line_has_the_bench_figures()
    {
        var (code, lines, error) = await Run("bench", "--activities", "200", "--accounts", "2", "--listeners-per-account", "3", "--batch", "30", "--baseline-seconds", "0.5", "--json");

        Assert.True(code == 0, $"exit {code}\n{string.Join('\n', lines)}\n{error}");
        Assert.Matches(FinalLine, lines[^1]);
        using var report = JsonDocument.Parse(lines[^2]);
        var root = report.RootElement;
        Assert.Equal(600, root.GetProperty("expected").GetInt64());
        Assert.Equal(600, root.GetProperty("deliveries").GetInt64());
        Assert.Equal(200, root.GetProperty("ingested").GetInt64());
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.True(root.GetProperty("raw_http_per_s").GetDouble() > 0);
        // Every answer came after its batch was sent, and the median is not above the tail.
        Assert.InRange(root.GetProperty("ack_p50_ms").GetDouble(), 0.001, root.GetProperty("ack_p99_ms").GetDouble());
        Assert.Equal(lines[^1], root.GetProperty("final_line").GetString());
        // The hub's own figures, from its own process: it did work and held memory.
        Assert.True(root.GetProperty("hub_cpu_us_per_delivery").GetDouble() > 0);
        Assert.True(root.GetProperty("hub_alloc_bytes_per_delivery").GetDouble() > 0);
        Assert.InRange(root.GetProperty("hub_peak_rss_mb").GetDouble(), 10, 4096);
    }

    [Fact]
    public async Task The_summary_names_the_figures_and_the_temporary_database_is_deleted_afterwards()
    {
        var (code, lines, error) = await Run("bench", "--activities", "20", "--accounts", "1", "--listeners-per-account", "2", "--baseline-seconds", "0.2");

        Assert.True(code == 0, $"exit {code}\n{string.Join('\n', lines)}\n{error}");
        Assert.Matches(FinalLine, lines[^1]);
        Assert.Contains(lines, l => l.Contains("deliveries    40 of 40", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  ingest        20 activities acknowledged", StringComparison.Ordinal) && l.Contains("answered (stored) p50 ", StringComparison.Ordinal));
        var hub = lines.Single(l => l.StartsWith("  hub           ", StringComparison.Ordinal));
        var dataDir = hub[(hub.IndexOf("SQLite in ", StringComparison.Ordinal) + "SQLite in ".Length)..hub.IndexOf(" (deleted afterwards)", StringComparison.Ordinal)];
        Assert.False(Directory.Exists(dataDir), $"{dataDir} is still there");
        Assert.Contains("switchboard serve", hub, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("  hub cost      (its own process)", StringComparison.Ordinal) && l.Contains(" us per delivery", StringComparison.Ordinal));

        // The hub ran as a process of its own, and it is gone: its port refuses connections.
        var url = System.Text.RegularExpressions.Regex.Match(hub, @"http://127\.0\.0\.1:\d+").Value;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(url + "/healthz"));
    }

    /// <summary>
    /// <c>--dead-callbacks</c>: one account's callback dies once created (connections to it time out,
    /// here after 1 s); the other three get every event of theirs, and the report says so. How much the
    /// dead ones cost the live ones is docs/reliability.md's figure, not this test's.
    /// </summary>
    [Fact]
    public async Task Dead_callbacks_time_out_and_the_live_ones_get_all_their_events()
    {
        var (code, lines, error) = await Run("bench", "--activities", "400", "--accounts", "4", "--listeners-per-account", "2", "--dead-callbacks", "1",
            "--rate", "200", "--baseline-seconds", "0.2", "--json", "--Delivery:DefaultTimeoutSeconds=1");

        Assert.True(code == 0, $"exit {code}\n{string.Join('\n', lines)}\n{error}");
        Assert.Matches(FinalLine, lines[^1]);
        Assert.Contains("the callbacks of 1 of them dead once created", error, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(lines[^2]);
        var root = report.RootElement;
        // Activities go to the accounts in turn: 100 each, of which the last account's reach no one.
        Assert.Equal(600, root.GetProperty("expected").GetInt64());
        Assert.Equal(600, root.GetProperty("deliveries").GetInt64());
        Assert.Equal(1, root.GetProperty("dead_callbacks").GetInt32());
        Assert.Equal(root.GetProperty("deliveries_per_s").GetDouble() / 3, root.GetProperty("deliveries_per_s_per_live_callback").GetDouble(), 6);
        // The 2 s of paced load outlast the 1 s timeout: the hub recorded the dead callback's attempts as failed.
        Assert.True(root.GetProperty("failed_attempts").GetInt64() > 0, "no failed attempt at the dead callback");
    }

    [Fact]
    public async Task Dead_callbacks_need_a_live_one_beside_them()
    {
        var (code, _, error) = await Run("bench", "--accounts", "2", "--dead-callbacks", "2");

        Assert.Equal(2, code);
        Assert.Contains("--dead-callbacks", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hub_without_a_token_is_refused()
    {
        var (code, _, error) = await Run("bench", "--hub", "http://127.0.0.1:9");

        Assert.NotEqual(0, code);
        Assert.Contains("--token", error, StringComparison.Ordinal);
    }
}
