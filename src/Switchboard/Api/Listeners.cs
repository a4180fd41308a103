using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>A listener create body as the OpenAPI document shows it (bodies are read by hand, <see cref="ListenerInput"/>).</summary>
internal sealed record ListenerRequest(long CallbackId, [property: RefusesNull, AllowedValues(ListenerInput.Version2)] string? Version = null, long? ExpiresAt = null, [property: RefusesNull] bool? Ordered = null);

/// <summary>A listener update body: only the fields given change.</summary>
internal sealed record ListenerChange([property: RefusesNull] long? CallbackId = null, [property: RefusesNull, AllowedValues(ListenerInput.Version2)] string? Version = null, long? ExpiresAt = null, [property: RefusesNull] bool? Ordered = null);

/// <summary>What a listener body asks for, checked field by field; absent fields are null (with <see cref="ExpiresGiven"/> telling a null apart).</summary>
internal sealed record ListenerInput(long? CallbackId, string? Version, bool ExpiresGiven, long? ExpiresAt, bool? Ordered)
{
    /// <summary>api.md: the only listener version.</summary>
    public const string Version2 = "2.0.0";

    public static readonly string[] Fields = ["callback_id", "version", "expires_at", "ordered"];

    public static ListenerInput Read(JsonElement body, FieldErrors errors, DateTimeOffset now, bool callbackRequired, params string[] extraFields)
    {
        errors.RejectUnknown(body, [.. Fields, .. extraFields]);
        var callbackId = errors.Integer(body, "callback_id", required: callbackRequired, min: 1);
        var version = errors.String(body, "version", required: false, maxLength: 32);
        if (version is not null and not Version2)
        {
            errors.Add("version", $"must be \"{Version2}\"");
        }
        var expiresAt = errors.Integer(body, "expires_at", required: false, nullable: true, min: 0);
        if (expiresAt is { } expires && expires <= now.ToUnixTimeSeconds())
        {
            errors.Add("expires_at", "must be a UNIX time in the future, or null");
        }
        var ordered = errors.Boolean(body, "ordered", required: false);
        return new ListenerInput(callbackId, version, FieldErrors.Has(body, "expires_at"), expiresAt, ordered);
    }
}

/// <summary><c>{base}/listeners</c>: list, get, create, update, delete (api.md, Listeners).</summary>
internal static class Listeners
{
    private static readonly Dictionary<string, FilterKind> ListFilters = new() { ["callback_id"] = FilterKind.Integer };

    public static void MapListeners(this RouteGroupBuilder group)
    {
        var listeners = group.MapGroup("/listeners").WithTags("Listeners");
        listeners.MapGet("/", List).Produces<Page<Listener>>().WithListQuery(ListFilters).WithSummary("List listeners").WithDescription("Filter: callback_id.");
        listeners.MapGet("/{id:long}", Get).Produces<Listener>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Get a listener");
        listeners.MapPost("/", Create).AcceptsJson<ListenerRequest>().Produces<Listener>(StatusCodes.Status201Created)
            .WithSummary("Create a listener").WithDescription("version is \"2.0.0\"; expires_at is null or a future UNIX time; ordered (default false): one data object's events arrive one at a time, in order.");
        listeners.MapPatch("/{id:long}", Update).AcceptsJson<ListenerChange>().Produces<Listener>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Change a listener");
        listeners.MapDelete("/{id:long}", Delete).Produces<DeleteResult>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Delete a listener with its subscriptions and filters");
    }

    /// <summary>The listener if it exists and is visible from the owner's base; otherwise null (api.md: never leak existence).</summary>
    public static async Task<Listener?> FindVisibleAsync(HubConnection db, Owner owner, long id, CancellationToken cancellationToken) =>
        await ListenerTable.FindAsync(db, id, cancellationToken) is { } listener && owner.CanSee(listener.VoipId, listener.ExtensionId) ? listener : null;

    /// <summary>api.md: a listener's callback must be visible from the base.</summary>
    public static async Task CheckCallbackAsync(HubConnection db, Owner owner, long callbackId, FieldErrors errors, CancellationToken cancellationToken)
    {
        if (await Callbacks.FindVisibleAsync(db, owner, callbackId, cancellationToken) is null)
        {
            errors.Add("callback_id", $"no callback {callbackId} here");
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
        var rows = await Listing.PageAsync(db, ListenerTable.Name, ListenerTable.Columns, Owner.Of(context).Rows, paging.Filters, paging.Limit, paging.Offset, ListenerTable.Read, cancellationToken);
        return TypedResults.Json(paging.Answer(rows), ApiJsonContext.Relaxed.PageListener);
    }

    private static async Task<IResult> Get(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var listener = await FindVisibleAsync(db, Owner.Of(context), id, cancellationToken);
        return listener is null ? ApiResults.NotFound("Listener") : TypedResults.Json(listener, ApiJsonContext.Relaxed.Listener);
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
            var owner = Owner.Of(context);
            var now = time.GetUtcNow();
            var errors = new FieldErrors();
            var input = ListenerInput.Read(document.RootElement, errors, now, callbackRequired: true);
            if (errors.Any)
            {
                return ApiResults.Invalid(errors.All);
            }
            await using var db = await database.ConnectAsync(cancellationToken);
            await db.BeginSerializableAsync(cancellationToken);
            await CheckCallbackAsync(db, owner, input.CallbackId!.Value, errors, cancellationToken);
            if (errors.Any)
            {
                return ApiResults.Invalid(errors.All);
            }
            var listener = await ListenerTable.InsertAsync(db,
                new Listener(0, owner.VoipId, owner.ExtensionId, input.Version ?? ListenerInput.Version2, input.CallbackId.Value, now.ToUnixTimeSeconds(), input.ExpiresAt, input.Ordered ?? false),
                cancellationToken);
            await db.CommitAsync(cancellationToken);
            return TypedResults.Json(listener, ApiJsonContext.Relaxed.Listener, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> Update(long id, HttpContext context, HubDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        var owner = Owner.Of(context);
        await using var db = await database.ConnectAsync(cancellationToken);
        var existing = await FindVisibleAsync(db, owner, id, cancellationToken);
        if (existing is null)
        {
            return ApiResults.NotFound("Listener");
        }
        var (document, error) = await JsonBody.ReadObjectAsync(context.Request);
        if (document is null)
        {
            return error!;
        }
        using (document)
        {
            var errors = new FieldErrors();
            var input = ListenerInput.Read(document.RootElement, errors, time.GetUtcNow(), callbackRequired: false);
            if (errors.Any)
            {
                return ApiResults.Invalid(errors.All);
            }
            await db.BeginSerializableAsync(cancellationToken);
            if (input.CallbackId is { } callbackId)
            {
                await CheckCallbackAsync(db, owner, callbackId, errors, cancellationToken);
                if (errors.Any)
                {
                    return ApiResults.Invalid(errors.All);
                }
            }
            var updated = existing with
            {
                CallbackId = input.CallbackId ?? existing.CallbackId,
                Version = input.Version ?? existing.Version,
                ExpiresAt = input.ExpiresGiven ? input.ExpiresAt : existing.ExpiresAt,
                Ordered = input.Ordered ?? existing.Ordered,
            };
            if (await ListenerTable.UpdateAsync(db, updated, cancellationToken) == 0)
            {
                return ApiResults.NotFound("Listener");
            }
            await db.CommitAsync(cancellationToken);
            return TypedResults.Json(updated, ApiJsonContext.Relaxed.Listener);
        }
    }

    private static async Task<IResult> Delete(long id, HttpContext context, HubDatabase database, TimeProvider clock, CancellationToken cancellationToken) =>
        await DeleteAsync(database, clock, Owner.Of(context), id, cancellationToken);

    /// <summary>Deletes a listener visible from the owner's base, with its subscriptions and filters: 200 or 404.</summary>
    public static async Task<IResult> DeleteAsync(HubDatabase database, TimeProvider clock, Owner owner, long id, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        await db.BeginSerializableAsync(cancellationToken);
        if (await FindVisibleAsync(db, owner, id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Listener");
        }
        await ListenerTable.DeleteAsync(db, id, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        await db.CommitAsync(cancellationToken);
        return ApiResults.Deleted();
    }
}
