using System.Text.Json;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>A profile create body as the OpenAPI document shows it (bodies are read by hand, <see cref="ProfileInput"/>).</summary>
internal sealed record ProfileRequest(string Name, string? SupportEmail = null);

/// <summary>A profile update body: only the fields given change.</summary>
internal sealed record ProfileChange([property: RefusesNull] string? Name = null, string? SupportEmail = null);

/// <summary>What a profile body asks for, checked field by field.</summary>
internal sealed record ProfileInput(string? Name, bool EmailGiven, string? SupportEmail)
{
    public static ProfileInput Read(JsonElement body, FieldErrors errors, bool creating)
    {
        errors.RejectUnknown(body, "name", "support_email");
        var name = errors.String(body, "name", required: creating, maxLength: 255);
        var email = errors.String(body, "support_email", required: false, nullable: true, maxLength: 254);
        if (email is not null && !FieldErrors.IsEmail(email))
        {
            errors.Add("support_email", "must be an e-mail address or null");
        }
        return new ProfileInput(name, FieldErrors.Has(body, "support_email"), email);
    }
}

/// <summary><c>{base}/profiles</c>: list, get, create, update, delete (api.md, Profiles).</summary>
internal static class Profiles
{
    private static readonly Dictionary<string, FilterKind> ListFilters = new() { ["name"] = FilterKind.Text };

    public static void MapProfiles(this RouteGroupBuilder group)
    {
        var profiles = group.MapGroup("/profiles").WithTags("Profiles");
        profiles.MapGet("/", List).Produces<Page<Profile>>().WithListQuery(ListFilters).WithSummary("List profiles").WithDescription("Filter: name.");
        profiles.MapGet("/{id:long}", Get).Produces<Profile>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Get a profile");
        profiles.MapPost("/", Create).AcceptsJson<ProfileRequest>().Produces<Profile>(StatusCodes.Status201Created).WithSummary("Create a profile");
        profiles.MapPatch("/{id:long}", Update).AcceptsJson<ProfileChange>().Produces<Profile>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Change a profile");
        profiles.MapDelete("/{id:long}", Delete).Produces<DeleteResult>().WithErrors(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).WithSummary("Delete a profile").WithDescription("409 while a callback uses it.");
    }

    /// <summary>The profile if it exists and is visible from the owner's base; otherwise null, whoever owns it (api.md: never leak existence).</summary>
    public static async Task<Profile?> FindVisibleAsync(HubConnection db, Owner owner, long id, CancellationToken cancellationToken) =>
        await ProfileTable.FindAsync(db, id, cancellationToken) is { } profile && owner.CanSee(profile.VoipId, profile.ExtensionId) ? profile : null;

    private static async Task<IResult> List(HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        var (paging, error) = Paging.Parse(context.Request, ListFilters);
        if (paging is null)
        {
            return error!;
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        var rows = await Listing.PageAsync(db, ProfileTable.Name, ProfileTable.Columns, Owner.Of(context).Rows, paging.Filters, paging.Limit, paging.Offset, ProfileTable.Read, cancellationToken);
        return TypedResults.Json(paging.Answer(rows), ApiJsonContext.Relaxed.PageProfile);
    }

    private static async Task<IResult> Get(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var profile = await FindVisibleAsync(db, Owner.Of(context), id, cancellationToken);
        return profile is null ? ApiResults.NotFound("Profile") : TypedResults.Json(profile, ApiJsonContext.Relaxed.Profile);
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
            var input = ProfileInput.Read(document.RootElement, errors, creating: true);
            if (errors.Any)
            {
                return ApiResults.Invalid(errors.All);
            }
            var owner = Owner.Of(context);
            await using var db = await database.ConnectAsync(cancellationToken);
            var profile = await ProfileTable.InsertAsync(db, owner.VoipId, owner.ExtensionId, input.Name!, input.SupportEmail, time.GetUtcNow().ToUnixTimeSeconds(), cancellationToken);
            return TypedResults.Json(profile, ApiJsonContext.Relaxed.Profile, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> Update(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var existing = await FindVisibleAsync(db, Owner.Of(context), id, cancellationToken);
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
            var input = ProfileInput.Read(document.RootElement, errors, creating: false);
            if (errors.Any)
            {
                return ApiResults.Invalid(errors.All);
            }
            var updated = existing with { Name = input.Name ?? existing.Name, SupportEmail = input.EmailGiven ? input.SupportEmail : existing.SupportEmail };
            await ProfileTable.UpdateAsync(db, updated, cancellationToken);
            return TypedResults.Json(updated, ApiJsonContext.Relaxed.Profile);
        }
    }

    private static async Task<IResult> Delete(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        await db.BeginSerializableAsync(cancellationToken);
        if (await FindVisibleAsync(db, Owner.Of(context), id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Profile");
        }
        if (await ProfileTable.IsInUseAsync(db, id, cancellationToken))
        {
            return ApiResults.Error(StatusCodes.Status409Conflict, "Profile is in use. Look for callbacks using it.");
        }
        await ProfileTable.DeleteAsync(db, id, cancellationToken);
        await db.CommitAsync(cancellationToken);
        return ApiResults.Deleted();
    }
}
