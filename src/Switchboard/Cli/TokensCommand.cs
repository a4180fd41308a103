using System.CommandLine;
using Switchboard.Storage;

namespace Switchboard.Cli;

/// <summary><c>switchboard tokens create|list|revoke</c>: API tokens, stored only as hashes.</summary>
internal static class TokensCommand
{
    public static Command Create()
    {
        var command = new Command("tokens", "Create, list and revoke API tokens.");
        command.Subcommands.Add(CreateCommand());
        command.Subcommands.Add(ListCommand());
        command.Subcommands.Add(RevokeCommand());
        return command;
    }

    private static async Task<TokenStore> OpenAsync(StorageOption storage, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var database = storage.Open(parseResult);
        await using (await database.StartUpAsync(cancellationToken))
        {
            await database.MigrateAsync(cancellationToken);
        }
        return new TokenStore(database, TimeProvider.System);
    }

    private static Command CreateCommand()
    {
        var isOperator = new Option<bool>("--operator") { Description = "A token for every account and the ingest API." };
        var account = new Option<long?>("--account") { Description = "A token for this account (voip_id)." };
        var extension = new Option<long?>("--extension") { Description = "With --account: a token for this extension only." };
        var storage = new StorageOption();
        var command = new Command("create", "Create a token and print it (only the token, on stdout). It is shown only this once.")
        {
            isOperator, account, extension,
        };
        storage.AddTo(command);
        command.Validators.Add(result =>
        {
            var op = result.GetValue(isOperator);
            var acc = result.GetValue(account);
            if (op == acc is not null)
            {
                result.AddError("Give exactly one of --operator or --account ID.");
            }
            else if (result.GetValue(extension) is not null && acc is null)
            {
                result.AddError("--extension needs --account: an extension belongs to an account.");
            }
            else if (acc is <= 0 || result.GetValue(extension) is <= 0)
            {
                result.AddError("Account and extension ids are positive integers.");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var store = await OpenAsync(storage, parseResult, cancellationToken);
            var voipId = parseResult.GetValue(account);
            var extensionId = parseResult.GetValue(extension);
            var scope = parseResult.GetValue(isOperator) ? TokenScope.Operator : extensionId is null ? TokenScope.Account : TokenScope.Extension;
            var (_, token) = await store.CreateAsync(scope, voipId, extensionId, cancellationToken);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(token);
            return 0;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var storage = new StorageOption();
        var command = new Command("list", "List tokens: id, scope, created, revoked. Tokens themselves are never shown again.");
        storage.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var store = await OpenAsync(storage, parseResult, cancellationToken);
            var output = parseResult.InvocationConfiguration.Output;
            var tokens = await store.ListAsync(cancellationToken);
            if (tokens.Count == 0)
            {
                await output.WriteLineAsync("No tokens. Create one with: switchboard tokens create --operator");
                return 0;
            }
            await output.WriteLineAsync($"{"ID",-6} {"SCOPE",-36} {"CREATED",-20} REVOKED");
            foreach (var t in tokens)
            {
                await output.WriteLineAsync($"{t.Id,-6} {t.Describe(),-36} {t.CreatedAt:yyyy-MM-dd HH:mm:ss}  {(t.RevokedAt is { } r ? r.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : "-")}");
            }
            return 0;
        });
        return command;
    }

    private static Command RevokeCommand()
    {
        var id = new Argument<long>("id") { Description = "The token's id, as tokens list shows it." };
        var storage = new StorageOption();
        var command = new Command("revoke", "Revoke a token: it stops working at once.") { id };
        storage.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var store = await OpenAsync(storage, parseResult, cancellationToken);
            var tokenId = parseResult.GetValue(id);
            if (await store.RevokeAsync(tokenId, cancellationToken))
            {
                await parseResult.InvocationConfiguration.Output.WriteLineAsync($"Revoked token {tokenId}.");
                return 0;
            }
            await parseResult.InvocationConfiguration.Error.WriteLineAsync($"switchboard tokens revoke: no live token with id {tokenId} (see switchboard tokens list).");
            return 1;
        });
        return command;
    }
}
