using System.CommandLine;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Cli;

/// <summary>
/// Where the hub's data is, the same on every command that touches it (scaling.md):
/// <c>--data-dir</c> for SQLite, or <c>--postgres</c> (else <c>SWITCHBOARD_Storage__Postgres</c>) for PostgreSQL.
/// </summary>
internal sealed class StorageOption
{
    public const string EnvironmentVariable = "SWITCHBOARD_Storage__Postgres";

    public Option<string> DataDir { get; } = new("--data-dir")
    {
        Description = "Folder of the SQLite database (created on first start).",
        DefaultValueFactory = _ => HubSettings.DefaultDataDirectory,
    };

    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = $"An Npgsql connection string: keep the data in PostgreSQL instead, shared by every node (also {EnvironmentVariable}). See docs/scaling.md.",
        HelpName = "connection string",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(DataDir);
        command.Options.Add(Postgres);
    }

    /// <summary>The connection string given, by option or environment, or null for SQLite.</summary>
    public string? PostgresOf(ParseResult parseResult) =>
        parseResult.GetValue(Postgres) is { Length: > 0 } given ? given : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } set ? set : null;

    public HubDatabase Open(ParseResult parseResult) => HubDatabase.For(parseResult.GetValue(DataDir)!, PostgresOf(parseResult));
}
