using System.CommandLine;
using System.Text.RegularExpressions;
using Switchboard.Cli;

namespace Switchboard.Tests;

/// <summary>What <c>--help</c> tells someone who has just cloned the repository.</summary>
public partial class HelpTests
{
    [Theory]
    [InlineData]
    [InlineData("serve")]
    [InlineData("tokens")]
    [InlineData("validate")]
    [InlineData("tags")]
    [InlineData("bench")]
    [InlineData("listen")]
    [InlineData("simulate")]
    public async Task Help_points_only_at_documents_the_repository_has(params string[] command)
    {
        var help = await HelpAsync(command);

        var root = Root();
        Assert.All(DocumentName().Matches(help).Select(m => m.Value), document =>
            Assert.True(File.Exists(Path.Combine(root, document)), $"{string.Join(' ', command)} --help names {document}, which is not in the repository"));
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("bench")]
    public async Task Help_of_a_command_taking_hub_settings_shows_how_to_write_them(string command)
    {
        var help = await HelpAsync([command]);

        Assert.Contains($" {command} [options] [--Section:Key=value ...]", help, StringComparison.Ordinal);
        Assert.Contains("--Section:Key=value  Any setting of the hub", help, StringComparison.Ordinal);
        Assert.DoesNotContain("additional arguments", help, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("the application that is being run", help, StringComparison.Ordinal);
    }

    private static async Task<string> HelpAsync(string[] command)
    {
        var output = new StringWriter();
        var code = await SwitchboardCommand.Create().Parse([.. command, "--help"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = new StringWriter() });
        Assert.Equal(0, code);
        return output.ToString();
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

    [GeneratedRegex(@"[\w./-]+\.md\b")]
    private static partial Regex DocumentName();
}
