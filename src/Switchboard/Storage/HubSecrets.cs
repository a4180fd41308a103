using System.Security.Cryptography;

namespace Switchboard.Storage;

/// <summary>Keys the hub makes once and keeps in <c>hub_secrets</c>, so they survive restarts and every node uses the same.</summary>
internal static class HubSecrets
{
    public static async Task<byte[]> GetAsync(HubDatabase database, string name, int bytes, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        // Two nodes may both try: the first key stored is the one both use.
        await HubConnection.ExecuteAsync(
            db.Command("INSERT INTO hub_secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING")
                .With("@name", name).With("@value", Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes))),
            cancellationToken);
        var stored = await HubConnection.FirstOrDefaultAsync(
            db.Command("SELECT value FROM hub_secrets WHERE name = @name").With("@name", name), r => r.GetString(0), cancellationToken);
        return Convert.FromBase64String(stored!);
    }
}
