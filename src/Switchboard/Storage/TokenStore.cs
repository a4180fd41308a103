using System.Data.Common;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Storage;

/// <summary>What a token may use (api.md, Authentication and scope).</summary>
internal enum TokenScope
{
    Operator,
    Account,
    Extension,
}

/// <summary>A stored token, without the token itself: only its hash is kept.</summary>
internal sealed record TokenInfo(long Id, TokenScope Scope, long? VoipId, long? ExtensionId, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public string Describe() => Scope switch
    {
        TokenScope.Operator => "operator",
        TokenScope.Account => $"account {VoipId}",
        _ => $"extension {ExtensionId} of account {VoipId}",
    };
}

/// <summary>API tokens: random secrets handed out once and stored as SHA-256 hashes.</summary>
internal sealed class TokenStore(HubDatabase database, TimeProvider time)
{
    private const string Prefix = "sb_";

    public async Task<(TokenInfo Info, string Token)> CreateAsync(TokenScope scope, long? voipId, long? extensionId, CancellationToken cancellationToken)
    {
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO tokens (token_hash, scope, voip_id, extension_id, created_at)
            VALUES (@hash, @scope, @voip_id, @extension_id, @created_at) RETURNING id
            """;
        command.With("@hash", Hash(token));
        command.With("@scope", scope.ToString().ToLowerInvariant());
        command.With("@voip_id", voipId);
        command.With("@extension_id", extensionId);
        command.With("@created_at", now.ToUnixTimeSeconds());
        var id = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        return (new TokenInfo(id, scope, voipId, extensionId, DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()), null), token);
    }

    /// <summary>The live (not revoked) token with this text, or null.</summary>
    public async Task<TokenInfo?> FindAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"{Select} WHERE token_hash = @hash AND revoked_at IS NULL";
        command.With("@hash", Hash(token));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<TokenInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"{Select} ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tokens = new List<TokenInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tokens.Add(Read(reader));
        }
        return tokens;
    }

    /// <summary>Revokes a token; false when there is no live token with that id.</summary>
    public async Task<bool> RevokeAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL";
        command.With("@now", time.GetUtcNow().ToUnixTimeSeconds());
        command.With("@id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM tokens";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private const string Select = "SELECT id, scope, voip_id, extension_id, created_at, revoked_at FROM tokens";

    private static TokenInfo Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        Enum.Parse<TokenScope>(reader.GetString(1), ignoreCase: true),
        reader.IsDBNull(2) ? null : reader.GetInt64(2),
        reader.IsDBNull(3) ? null : reader.GetInt64(3),
        DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4)),
        reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(5)));

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
