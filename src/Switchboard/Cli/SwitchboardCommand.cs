using System.CommandLine;

namespace Switchboard.Cli;

/// <summary>The `switchboard` root command: one subcommand per file in this folder.</summary>
internal static class SwitchboardCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Switchboard: the telephony event hub and its tools.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(TokensCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(TagsCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ListenCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        SettingsHelp.UseFor(root);
        return root;
    }
}
