using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Switchboard.Cli;

/// <summary>
/// Help for the commands that pass <c>--Section:Key=value</c> on to the hub's configuration (serve,
/// bench). They accept tokens they do not know, which the default help shows as
/// "[[--] &lt;additional arguments&gt;...]]", "Arguments passed to the application that is being run";
/// the library keeps its help layout internal, so the text is rewritten.
/// </summary>
internal sealed class SettingsHelp(HelpAction standard) : SynchronousCommandLineAction
{
    private const string StandardUsage = "[[--] <additional arguments>...]]";
    private const string StandardSection = "Additional Arguments:\n  Arguments passed to the application that is being run.";

    private const string Settings = """
        Settings:
          --Section:Key=value  Any setting of the hub, e.g. --Api:MaxBodyBytes=131072 or --Delivery:AllowPrivateNetworks=true.
                               They are listed in README.md and docs/delivery.md (Settings).
        """;

    public static void UseFor(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new SettingsHelp((HelpAction)help.Action!);
    }

    public override int Invoke(ParseResult parseResult)
    {
        if (parseResult.CommandResult.Command.TreatUnmatchedTokensAsErrors)
        {
            return standard.Invoke(parseResult);
        }
        var configuration = parseResult.InvocationConfiguration;
        var output = configuration.Output;
        var text = new StringWriter();
        configuration.Output = text;
        try
        {
            standard.Invoke(parseResult);
        }
        finally
        {
            configuration.Output = output;
        }
        output.Write(text.ToString().ReplaceLineEndings("\n")
            .Replace(StandardUsage, "[--Section:Key=value ...]", StringComparison.Ordinal)
            .Replace(StandardSection, Settings.ReplaceLineEndings("\n"), StringComparison.Ordinal)
            .ReplaceLineEndings());
        return 0;
    }
}
