using Switchboard.Cli;
using Switchboard.Storage;

var parsed = SwitchboardCommand.Create().Parse(args);
try
{
    // The user's mistakes about where the data is get one line, not a stack trace; anything else keeps the default report.
    return await parsed.InvokeAsync(new System.CommandLine.InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (StorageSettingException e)
{
    await Console.Error.WriteLineAsync($"{CommandPath(parsed)}: {e.Message}");
    return 2;
}
catch (System.Data.Common.DbException e)
{
    await Console.Error.WriteLineAsync($"{CommandPath(parsed)}: cannot use the database: {e.Message}");
    return 1;
}

// "switchboard tokens list", as the user typed it.
static string CommandPath(System.CommandLine.ParseResult parsed)
{
    var names = new List<string>();
    for (System.CommandLine.Parsing.SymbolResult? at = parsed.CommandResult; at is System.CommandLine.Parsing.CommandResult command; at = at.Parent)
    {
        names.Insert(0, command.Command.Name);
    }
    return string.Join(' ', names);
}
