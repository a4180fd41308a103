using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;

namespace Switchboard.Tests;

public class ServeTests
{
    private static async Task AssertEnvelope(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("@error");
        Assert.Equal((int)status, error.GetProperty("@httpStatusCode").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("@message").GetString()));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", error.GetProperty("@time").GetString());
    }

    [Fact]
    public async Task Health_and_readiness_answer_without_a_token()
    {
        await using var hub = await TestHub.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await hub.Http.GetAsync("/healthz")).StatusCode);
        var ready = await hub.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("ready", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // /readyz runs the checks of ASP.NET Core's health-check framework: storage is one, for anything else that reads them too.
        var report = await hub.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, report.Entries["storage"].Status);
    }

    [Fact]
    public async Task An_unknown_route_answers_404_with_the_error_envelope()
    {
        await using var hub = await TestHub.StartAsync();

        await AssertEnvelope(await hub.Http.GetAsync("/v4/nothing/here"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_wrong_method_answers_405_with_the_error_envelope()
    {
        await using var hub = await TestHub.StartAsync();

        await AssertEnvelope(await hub.Http.DeleteAsync("/healthz"), HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task The_first_start_creates_the_database_and_prints_an_operator_token_once()
    {
        string dataDirectory;
        await using (var first = await TestHub.StartAsync())
        {
            dataDirectory = first.DataDirectory;
            // On PostgreSQL the data is in the server's database instead.
            Assert.Equal(!TestPostgres.Enabled, File.Exists(Path.Combine(dataDirectory, "switchboard.db")));
            Assert.Matches(@"operator token[\s\S]*sb_[A-Za-z0-9_-]{43}", first.Console);
        }

        await using var second = await TestHub.StartAsync(dataDirectory);

        Assert.DoesNotContain("sb_", second.Console, StringComparison.Ordinal);
    }

    [SqliteFact]
    public async Task The_data_folder_and_the_database_with_its_wal_and_shm_files_are_the_owners_alone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"), "data");
        await using var hub = await TestHub.StartAsync(dataDirectory);
        using var client = await hub.ClientAsync(Switchboard.Storage.TokenScope.Account, 1000002);
        // A write, so that the write-ahead log holds something.
        await Api.CreateAsync(client, $"{Api.AccountBase}/profiles", """{"name": "P"}""");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDirectory));
        foreach (var name in new[] { "switchboard.db", "switchboard.db-wal", "switchboard.db-shm" })
        {
            Assert.Equal((name, UnixFileMode.UserRead | UnixFileMode.UserWrite), (name, File.GetUnixFileMode(Path.Combine(dataDirectory, name))));
        }
    }

    [Fact]
    public async Task An_invalid_setting_stops_start_up_naming_it()
    {
        var error = new StringWriter();
        var code = await Switchboard.Cli.SwitchboardCommand.Create()
            .Parse(["serve", "--urls", "http://127.0.0.1:0", "--data-dir", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N")), "--Api:MaxBodyBytes=12"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = new StringWriter(), Error = error });

        Assert.Equal(2, code);
        Assert.Contains("MaxBodyBytes", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_setting_makes_the_console_logs_JSON_lines()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
        await using var hub = await HubProcess.StartAsync(dataDirectory, HubProcess.FreePort(), "--Logging:Console:FormatterName=json");

        // The line comes just after the hub starts answering.
        for (var tries = 0; tries < 100 && !hub.Output.Contains("Switchboard listening on", StringComparison.Ordinal); tries++)
        {
            await Task.Delay(100);
        }
        var listening = Assert.Single(hub.Output.Split('\n'), line => line.Contains("Switchboard listening on", StringComparison.Ordinal));
        using var entry = JsonDocument.Parse(listening);
        Assert.Equal("Information", entry.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal(hub.Url, entry.RootElement.GetProperty("State").GetProperty("Url").GetString());
    }

    [Fact]
    public async Task An_environment_variable_setting_is_read()
    {
        // A child process, so the variable cannot reach hubs of tests running in parallel.
        var start = new System.Diagnostics.ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "switchboard.dll"), "serve", "--urls", "http://127.0.0.1:0", "--data-dir", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["SWITCHBOARD_Delivery__DefaultTimeoutSeconds"] = "99";
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("DefaultTimeoutSeconds", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("tokens", "list")]
    public async Task A_malformed_postgres_connection_string_gets_one_line_not_a_stack_trace(params string[] command)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "switchboard.dll"), .. command, "--postgres", "Hots=db;Databse=x"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.StartsWith($"switchboard {string.Join(' ', command)}: the PostgreSQL connection string is not valid (", error, StringComparison.Ordinal);
        Assert.EndsWith("it is written Host=…;Database=…;Username=…;Password=…", error.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Trim());
    }

    [Fact]
    public async Task A_port_in_use_gets_one_line_and_no_stack_trace()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var start = new System.Diagnostics.ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "switchboard.dll"), .. TestPostgres.WithDatabase(["serve", "--urls", url, "--data-dir", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))])])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Equal($"switchboard serve: {url}: address already in use: another program (or another switchboard serve) listens there. Choose another with --urls, e.g. --urls http://127.0.0.1:8081.", error.Trim());
        // Only the first start's token may come before it, never the host's report of the failure.
        Assert.DoesNotContain("Exception", await output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", await output, StringComparison.Ordinal);
    }
}
