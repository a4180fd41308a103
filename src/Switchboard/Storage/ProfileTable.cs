using System.Data.Common;

namespace Switchboard.Storage;

/// <summary>A profile: who is told by e-mail when a callback misbehaves (api.md, Profiles).</summary>
internal sealed record Profile(long Id, long VoipId, long? ExtensionId, string Name, string? SupportEmail, long CreatedAt);

/// <summary>The SQL of the <c>profiles</c> table.</summary>
internal static class ProfileTable
{
    public const string Name = "profiles";
    public const string Columns = "id, voip_id, extension_id, name, support_email, created_at";

    public static Task<Profile?> FindAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        HubConnection.FirstOrDefaultAsync(db.Command($"SELECT {Columns} FROM profiles WHERE id = @id").With("@id", id), Read, cancellationToken);

    public static async Task<Profile> InsertAsync(HubConnection db, long voipId, long? extensionId, string name, string? supportEmail, long createdAt, CancellationToken cancellationToken) =>
        (await HubConnection.FirstOrDefaultAsync(
            db.Command($"INSERT INTO profiles (voip_id, extension_id, name, support_email, created_at) VALUES (@voip_id, @extension_id, @name, @email, @created_at) RETURNING {Columns}")
                .With("@voip_id", voipId).With("@extension_id", extensionId).With("@name", name).With("@email", supportEmail).With("@created_at", createdAt),
            Read, cancellationToken))!;

    public static Task<int> UpdateAsync(HubConnection db, Profile profile, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(
            db.Command("UPDATE profiles SET name = @name, support_email = @email WHERE id = @id")
                .With("@name", profile.Name).With("@email", profile.SupportEmail).With("@id", profile.Id),
            cancellationToken);

    /// <summary>True while a callback names the profile (api.md: delete answers 409 then).</summary>
    public static async Task<bool> IsInUseAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        await HubConnection.Int64Async(db.Command("SELECT COUNT(*) FROM callbacks WHERE profile_id = @id").With("@id", id), cancellationToken) > 0;

    public static Task<int> DeleteAsync(HubConnection db, long id, CancellationToken cancellationToken) =>
        HubConnection.ExecuteAsync(db.Command("DELETE FROM profiles WHERE id = @id").With("@id", id), cancellationToken);

    public static Profile Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetNullableInt64(2), reader.GetString(3), reader.GetNullableString(4), reader.GetInt64(5));
}
