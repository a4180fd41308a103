using System.Data.Common;
using System.Text.Json;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>A profile: who is told by e-mail when a callback misbehaves (api.md, Profiles).</summary>
internal sealed record Profile(long Id, long VoipId, long? ExtensionId, string Name, string? SupportEmail, long CreatedAt);

/// <summary><c>{base}/profiles</c>: list, get, create, update, delete.</summary>
internal static class Profiles
{
    private static readonly Dictionary<string, FilterKind> ListFilters = new() { ["name"] = FilterKind.Text };
    private const string Columns = "id, voip_id, extension_id, name, support_email, created_at";

    public static void MapProfiles(this RouteGroupBuilder group)
    {
        var profiles = group.MapGroup("/profiles").WithTags("Profiles");
        profiles.MapGet("/", List).Produces<Page<Profile>>();
        profiles.MapGet("/{id:long}", Get).Produces<Profile>();
        profiles.MapPost("/", Create).Accepts<Profile>("application/json").Produces<Profile>(StatusCodes.Status201Created);
        profiles.MapPatch("/{id:long}", Update).Accepts<Profile>("application/json").Produces<Profile>();
        profiles.MapDelete("/{id:long}", Delete);
    }

    private static async Task<IResult> List(HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        var (paging, error) = Paging.Parse(context.Request, ListFilters);
        if (paging is null)
        {
            return error!;
        }
        var owner = Owner.Of(context);
        await using var connection = await database.OpenAsync(cancellationToken);
        var where = "voip_id = @voip_id AND (@extension_id IS NULL OR extension_id = @extension_id)"
            + (paging.Filters.Count > 0 ? " AND name = @name" : "");
        DbCommand Command(string sql)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            command.With("@voip_id", owner.VoipId).With("@extension_id", owner.ExtensionId);
            foreach (var (column, value) in paging.Filters)
            {
                command.With("@" + column, value);
            }
            return command;
        }
        await using var count = Command($"SELECT COUNT(*) FROM profiles WHERE {where}");
        var total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        await using var select = Command($"SELECT {Columns} FROM profiles WHERE {where} ORDER BY id DESC LIMIT @limit OFFSET @offset");
        select.With("@limit", paging.Limit).With("@offset", paging.Offset);
        var items = new List<Profile>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(Read(reader));
        }
        return TypedResults.Json(new Page<Profile>(paging.Echo(), Paging.SortById, total, paging.Limit, paging.Offset, items), ApiJsonContext.Default.PageProfile);
    }

    private static async Task<IResult> Get(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        var profile = await FindAsync(database, Owner.Of(context), id, cancellationToken);
        return profile is null ? ApiResults.NotFound("Profile") : TypedResults.Json(profile, ApiJsonContext.Default.Profile);
    }

    private static async Task<IResult> Create(HttpContext context, HubDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadObjectAsync(context.Request);
        if (document is null)
        {
            return error!;
        }
        using (document)
        {
            var errors = new FieldErrors();
            var (name, email) = ReadFields(document.RootElement, errors, creating: true);
            if (errors.Any)
            {
                return ApiResults.Invalid(errors.All);
            }
            var owner = Owner.Of(context);
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO profiles (voip_id, extension_id, name, support_email, created_at) VALUES (@voip_id, @extension_id, @name, @email, @created_at) RETURNING {Columns}";
            command.With("@voip_id", owner.VoipId).With("@extension_id", owner.ExtensionId).With("@name", name)
                .With("@email", email.Value).With("@created_at", time.GetUtcNow().ToUnixTimeSeconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var profile = Read(reader);
            return TypedResults.Json(profile, ApiJsonContext.Default.Profile, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> Update(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        var owner = Owner.Of(context);
        var existing = await FindAsync(database, owner, id, cancellationToken);
        if (existing is null)
        {
            return ApiResults.NotFound("Profile");
        }
        var (document, error) = await JsonBody.ReadObjectAsync(context.Request);
        if (document is null)
        {
            return error!;
        }
        using (document)
        {
            var errors = new FieldErrors();
            var (name, email) = ReadFields(document.RootElement, errors, creating: false);
            if (errors.Any)
            {
                return ApiResults.Invalid(errors.All);
            }
            var updated = existing with { Name = name ?? existing.Name, SupportEmail = email.Given ? email.Value : existing.SupportEmail };
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE profiles SET name = @name, support_email = @email WHERE id = @id";
            command.With("@name", updated.Name).With("@email", updated.SupportEmail).With("@id", id);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return TypedResults.Json(updated, ApiJsonContext.Default.Profile);
        }
    }

    private static async Task<IResult> Delete(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        if (await FindAsync(database, Owner.Of(context), id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Profile");
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var inUse = connection.CreateCommand();
        inUse.CommandText = "SELECT COUNT(*) FROM callbacks WHERE profile_id = @id";
        inUse.With("@id", id);
        if (Convert.ToInt64(await inUse.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0)
        {
            return ApiResults.Error(StatusCodes.Status409Conflict, "Profile is in use. Look for callbacks using it.");
        }
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM profiles WHERE id = @id";
        delete.With("@id", id);
        await delete.ExecuteNonQueryAsync(cancellationToken);
        return TypedResults.Json(new DeleteResult(true), ApiJsonContext.Default.DeleteResult);
    }

    private static (string? Name, (bool Given, string? Value) Email) ReadFields(JsonElement body, FieldErrors errors, bool creating)
    {
        errors.RejectUnknown(body, "name", "support_email");
        var name = errors.String(body, "name", required: creating, maxLength: 255);
        var email = errors.String(body, "support_email", required: false, nullable: true, maxLength: 254);
        if (email is not null && !FieldErrors.IsEmail(email))
        {
            errors.Add("support_email", "must be an e-mail address or null");
        }
        return (name, (body.TryGetProperty("support_email", out _), email));
    }

    /// <summary>The profile if it exists and is visible from the owner's base; otherwise null, whoever owns it (api.md: never leak existence).</summary>
    private static async Task<Profile?> FindAsync(HubDatabase database, Owner owner, long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM profiles WHERE id = @id";
        command.With("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var profile = Read(reader);
        return owner.CanSee(profile.VoipId, profile.ExtensionId) ? profile : null;
    }

    private static Profile Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetNullableInt64(2), reader.GetString(3), reader.GetNullableString(4), reader.GetInt64(5));
}

internal sealed record DeleteResult(bool Success);
