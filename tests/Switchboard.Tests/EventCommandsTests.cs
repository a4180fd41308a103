using System.CommandLine;
using Switchboard.Cli;

namespace Switchboard.Tests;

/// <summary><c>switchboard validate</c>, <c>tags</c>, <c>--version</c> and <c>--help</c>, run in-process.</summary>
public class EventCommandsTests
{
    private static readonly string FixtureDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "events");

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await SwitchboardCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Validate_prints_ok_for_a_valid_event()
    {
        var (code, output, _) = await Run("validate", Path.Combine(FixtureDir, "inbound-call-to-device", "3-2nd-leg-new.json"));

        Assert.Equal(0, code);
        Assert.Equal("ok", output.Trim());
    }

    [Fact]
    public async Task Validate_prints_every_error_with_its_path_one_per_line()
    {
        var file = Path.GetTempFileName();
        var json = (await File.ReadAllTextAsync(Path.Combine(FixtureDir, "inbound-call-to-device", "3-2nd-leg-new.json")))
            .Replace("\"state\": \"new\"", "\"state\": \"ringing\"", StringComparison.Ordinal)
            .Replace("\"direction\": \"inbound\"", "\"direction\": 1", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, json);

        var (code, output, _) = await Run("validate", file);

        Assert.Equal(1, code);
        var lines = output.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("data.event_leg.state: \"ringing\" is not one of new, connecting, connected, completed", lines);
        Assert.Contains("data.direction: must be a string, not a number", lines);
    }

    [Fact]
    public async Task Tags_prints_the_derived_tags_as_a_json_array_on_one_line()
    {
        var (code, output, _) = await Run("tags", Path.Combine(FixtureDir, "message.json"));

        Assert.Equal(0, code);
        Assert.Equal("[\"message\",\"*ms-message\",\"mms-message\",\"received-message\",\"inbound\"]" + Environment.NewLine, output);
    }

    [Fact]
    public async Task Tags_of_an_invalid_event_fails_with_the_errors()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "{\"uuid\": 5}");

        var (code, output, error) = await Run("tags", file);

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("uuid: must be a string, not a number", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_reported_with_exit_code_2()
    {
        var (code, _, error) = await Run("validate", "/no/such/file.json");

        Assert.Equal(2, code);
        Assert.Contains("cannot read /no/such/file.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var (code, output, _) = await Run("--version");

        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("tags")]
    public async Task Every_command_has_help(string command)
    {
        var (code, output, _) = await Run(command, "--help");

        Assert.Equal(0, code);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("<file>", output, StringComparison.Ordinal);
    }
}

/// <summary>The real executable, reading standard input.</summary>
public class EventCommandsProcessTests
{
    [Fact]
    public async Task Validate_reads_standard_input_given_a_dash()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "switchboard.dll"), "validate", "-"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        await process.StandardInput.WriteAsync(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "fixtures", "events", "call-log.json")));
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("ok", output.Trim());
    }
}

/// <summary>The README's commands as typed in the clone's folder, through <c>dotnet run</c>.</summary>
public class DotnetRunTests
{
    [Fact]
    public async Task Dotnet_run_reads_a_relative_path_from_the_folder_it_was_typed_in()
    {
        var root = Root();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var start = new System.Diagnostics.ProcessStartInfo("dotnet",
            ["run", "--no-build", "-c", configuration, "--project", "src/Switchboard", "--", "tags", "tests/fixtures/events/recording.json"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, await error);
        Assert.Equal("""["recording","call-recording"]""", (await output).Trim());
    }

    private static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Switchboard.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (Switchboard.slnx) is not above " + AppContext.BaseDirectory);
    }
}
