namespace Switchboard.Storage;

/// <summary>The SQL of <c>account_versions</c>: how many times each account's configuration has changed.</summary>
internal static class AccountVersionTable
{
    /// <summary>Counts the account's version up; the new version.</summary>
    public static Task<long> BumpAsync(HubConnection db, long voipId, CancellationToken cancellationToken) =>
        HubConnection.Int64Async(
            db.Command("""
                INSERT INTO account_versions (voip_id, version) VALUES (@voip_id, 1)
                ON CONFLICT (voip_id) DO UPDATE SET version = account_versions.version + 1
                RETURNING version
                """).With("@voip_id", voipId),
            cancellationToken);

    /// <summary>The versions of these accounts (one statement), or of all accounts when <paramref name="voipIds"/> is null; an account never changed has none.</summary>
    public static Task<List<(long VoipId, long Version)>> OfAsync(HubConnection db, IReadOnlyCollection<long>? voipIds, CancellationToken cancellationToken)
    {
        if (voipIds is null)
        {
            return HubConnection.ListAsync(db.Command("SELECT voip_id, version FROM account_versions"), r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken);
        }
        var command = db.Command("");
        command.CommandText = $"SELECT voip_id, version FROM account_versions WHERE voip_id IN ({command.WithList("@v", voipIds)})";
        return HubConnection.ListAsync(command, r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken);
    }
}
