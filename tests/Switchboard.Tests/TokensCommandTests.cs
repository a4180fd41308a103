using System.CommandLine;
using Microsoft.Data.Sqlite;
using Switchboard.Cli;

namespace Switchboard.Tests;

public class TokensCommandTests
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));

    private async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await SwitchboardCommand.Create().Parse([.. args, "--data-dir", _dataDir])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Create_prints_only_the_token_and_stores_only_its_hash()
    {
        var (code, output, _) = await Run("tokens", "create", "--account", "1000002");

        Assert.Equal(0, code);
        var token = output.Trim();
        Assert.Matches("^sb_[A-Za-z0-9_-]{43}$", token);
        var dbBytes = await File.ReadAllBytesAsync(Path.Combine(_dataDir, "switchboard.db"));
        SqliteConnection.ClearAllPools();
        Assert.DoesNotContain(token, System.Text.Encoding.UTF8.GetString(dbBytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_shows_scopes_and_revoke_marks_a_token_revoked()
    {
        await Run("tokens", "create", "--operator");
        await Run("tokens", "create", "--account", "1000002", "--extension", "7777777");

        var (_, list, _) = await Run("tokens", "list");
        Assert.Contains("operator", list, StringComparison.Ordinal);
        Assert.Contains("extension 7777777 of account 1000002", list, StringComparison.Ordinal);
        Assert.DoesNotContain("sb_", list, StringComparison.Ordinal);

        var (code, revoked, _) = await Run("tokens", "revoke", "2");
        Assert.Equal(0, code);
        Assert.Contains("Revoked token 2", revoked, StringComparison.Ordinal);
        var (again, _, error) = await Run("tokens", "revoke", "2");
        Assert.Equal(1, again);
        Assert.Contains("no live token with id 2", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tokens", "create")]
    [InlineData("tokens", "create", "--operator", "--account", "5")]
    [InlineData("tokens", "create", "--extension", "5")]
    [InlineData("tokens", "create", "--account", "-3")]
    public async Task Create_refuses_an_unclear_scope(params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.NotEqual(0, code);
        Assert.DoesNotContain("sb_", output, StringComparison.Ordinal);
        Assert.NotEmpty(error);
    }
}
