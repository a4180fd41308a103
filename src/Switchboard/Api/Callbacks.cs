using Switchboard.Delivery;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary><c>{base}/callbacks</c>: list, get, create (with verification), update, delete (api.md, Callbacks).</summary>
internal static class Callbacks
{
    public const string InUse = "Callback is in use. Look for listeners using it.";

    private static readonly Dictionary<string, FilterKind> ListFilters = new()
    {
        ["name"] = FilterKind.Text,
        ["profile_id"] = FilterKind.Integer,
        ["fallback_callback_id"] = FilterKind.Integer,
        ["mode"] = FilterKind.Text,
        ["enabled"] = FilterKind.Boolean,
    };

    public static void MapCallbacks(this RouteGroupBuilder group)
    {
        var callbacks = group.MapGroup("/callbacks").WithTags("Callbacks");
        callbacks.MapGet("/", List).Produces<Page<Callback>>().WithListQuery(ListFilters).WithSummary("List callbacks")
            .WithDescription("Filters: name, profile_id, fallback_callback_id, mode, enabled. Header credentials and config.secret read true.");
        callbacks.MapGet("/{id:long}", Get).Produces<Callback>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Get a callback");
        callbacks.MapPost("/", Create).AcceptsJson<CallbackRequest>().Produces<Callback>(StatusCodes.Status201Created)
            .WithSummary("Create a callback")
            .WithDescription("HTTP and HTTPS callbacks are verified first: the URL must answer {\"test\": 1} with 200 or 201 within the timeout, else 422.");
        callbacks.MapPatch("/{id:long}", Update).AcceptsJson<CallbackChange>().Produces<Callback>().WithErrors(StatusCodes.Status404NotFound)
            .WithSummary("Change a callback").WithDescription("config is replaced as a whole; a changed url, method or headers is verified again.");
        callbacks.MapDelete("/{id:long}", Delete).Produces<DeleteResult>().WithErrors(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).WithSummary("Delete a callback")
            .WithDescription("409 while a listener uses it or another callback falls back to it.");
    }

    /// <summary>The callback if it exists and is visible from the owner's base; otherwise null (api.md: never leak existence).</summary>
    public static async Task<Callback?> FindVisibleAsync(HubConnection db, Owner owner, long id, CancellationToken cancellationToken) =>
        await CallbackTable.FindAsync(db, id, cancellationToken) is { } callback && owner.CanSee(callback.VoipId, callback.ExtensionId) ? callback : null;

    /// <summary>
    /// api.md, References: profile and fallback must be visible from the base, and following
    /// fallbacks from <paramref name="callback"/> must never come back to it.
    /// </summary>
    public static async Task CheckReferencesAsync(HubConnection db, Owner owner, Callback callback, FieldErrors errors, CancellationToken cancellationToken)
    {
        if (callback.ProfileId is { } profileId && await Profiles.FindVisibleAsync(db, owner, profileId, cancellationToken) is null)
        {
            errors.Add("profile_id", $"no profile {profileId} here");
        }
        if (callback.FallbackCallbackId is not { } fallbackId)
        {
            return;
        }
        var fallback = await FindVisibleAsync(db, owner, fallbackId, cancellationToken);
        if (fallback is null && fallbackId != callback.Id)
        {
            errors.Add("fallback_callback_id", $"no callback {fallbackId} here");
            return;
        }
        var seen = new HashSet<long> { callback.Id };
        for (var next = (long?)fallbackId; next is { } id; next = (await CallbackTable.FindAsync(db, id, cancellationToken))?.FallbackCallbackId)
        {
            if (!seen.Add(id))
            {
                errors.Add("fallback_callback_id", $"makes a loop: callback {id} falls back, through the chain, to this callback");
                return;
            }
        }
    }

    private static async Task<IResult> List(HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        var (paging, error) = Paging.Parse(context.Request, ListFilters);
        if (paging is null)
        {
            return error!;
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        var rows = await Listing.PageAsync(db, CallbackTable.Name, CallbackTable.Columns, Owner.Of(context).Rows, paging.Filters, paging.Limit, paging.Offset, CallbackTable.Read, cancellationToken);
        return TypedResults.Json(paging.Answer(rows, CallbackMasking.Masked), ApiJsonContext.Relaxed.PageCallback);
    }

    private static async Task<IResult> Get(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var callback = await FindVisibleAsync(db, Owner.Of(context), id, cancellationToken);
        return callback is null ? ApiResults.NotFound("Callback") : TypedResults.Json(callback.Masked(), ApiJsonContext.Relaxed.Callback);
    }

    private static async Task<IResult> Create(HttpContext context, HubDatabase database, CallbackVerifier verifier, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadObjectAsync(context.Request);
        if (document is null)
        {
            return error!;
        }
        using (document)
        {
            var owner = Owner.Of(context);
            var errors = new FieldErrors();
            var draft = CallbackInput.ReadCreate(document.RootElement, owner, errors);
            if (draft is null)
            {
                return ApiResults.Invalid(errors.All);
            }
            await using var db = await database.ConnectAsync(cancellationToken);
            await CheckReferencesAsync(db, owner, draft.Row, errors, cancellationToken);
            if (errors.Any)
            {
                return ApiResults.Invalid(errors.All);
            }
            if (draft.Http is not null && await verifier.VerifyAsync(draft.Http, cancellationToken) is { } failure)
            {
                return ApiResults.VerificationFailed(failure);
            }
            var callback = await CallbackTable.InsertAsync(db, draft.Row, cancellationToken);
            return TypedResults.Json(callback.Masked(), ApiJsonContext.Relaxed.Callback, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> Update(long id, HttpContext context, HubDatabase database, CallbackVerifier verifier, CancellationToken cancellationToken)
    {
        var owner = Owner.Of(context);
        await using var db = await database.ConnectAsync(cancellationToken);
        if (await FindVisibleAsync(db, owner, id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Callback");
        }
        var (document, error) = await JsonBody.ReadObjectAsync(context.Request);
        if (document is null)
        {
            return error!;
        }
        using (document)
        {
            return await UpdateAsync(db, verifier, owner, id, document.RootElement, cancellationToken);
        }
    }

    /// <summary>A PATCH of a callback visible from the owner's base: 200 with the masked callback, 404 or 422.</summary>
    public static async Task<IResult> UpdateAsync(HubConnection db, CallbackVerifier verifier, Owner owner, long id, System.Text.Json.JsonElement body, CancellationToken cancellationToken)
    {
        var existing = await FindVisibleAsync(db, owner, id, cancellationToken);
        if (existing is null)
        {
            return ApiResults.NotFound("Callback");
        }
        var errors = new FieldErrors();
        var draft = CallbackInput.ReadUpdate(body, existing, errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors.All);
        }
        await CheckReferencesAsync(db, owner, draft.Row, errors, cancellationToken);
        if (errors.Any)
        {
            return ApiResults.Invalid(errors.All);
        }
        if (draft.Http is not null && await verifier.VerifyAsync(draft.Http, cancellationToken) is { } failure)
        {
            return ApiResults.VerificationFailed(failure);
        }
        await db.BeginSerializableAsync(cancellationToken);
        // The chain may have changed while the URL was verified: check it again under the write lock.
        await CheckReferencesAsync(db, owner, draft.Row, errors, cancellationToken);
        if (errors.Any)
        {
            return ApiResults.Invalid(errors.All);
        }
        if (await CallbackTable.UpdateAsync(db, draft.Row, cancellationToken) == 0)
        {
            return ApiResults.NotFound("Callback");
        }
        await db.CommitAsync(cancellationToken);
        return TypedResults.Json(draft.Row.Masked(), ApiJsonContext.Relaxed.Callback);
    }

    private static async Task<IResult> Delete(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        await db.BeginSerializableAsync(cancellationToken);
        if (await FindVisibleAsync(db, Owner.Of(context), id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Callback");
        }
        if (await CallbackTable.IsInUseAsync(db, id, cancellationToken))
        {
            return ApiResults.Error(StatusCodes.Status409Conflict, InUse);
        }
        await CallbackTable.DeleteAsync(db, id, cancellationToken);
        await db.CommitAsync(cancellationToken);
        return ApiResults.Deleted();
    }
}
