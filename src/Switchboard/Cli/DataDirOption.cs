using System.CommandLine;
using Switchboard.Hosting;

namespace Switchboard.Cli;

internal static class DataDirOption
{
    public static Option<string> Create() => new("--data-dir")
    {
        Description = "Folder of the SQLite database (created on first start).",
        DefaultValueFactory = _ => HubSettings.DefaultDataDirectory,
    };
}
