namespace Switchboard.Tests;

public class SmokeTests
{
    [Fact]
    public async Task Root_command_answers_version()
    {
        var code = await Switchboard.Cli.SwitchboardCommand.Create().Parse(["--version"]).InvokeAsync();
        Assert.Equal(0, code);
    }
}
