using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary><c>{base}/listeners/{listener_id}/filters</c>: list, get, create, update, delete (api.md, Filters).</summary>
internal static class Filters
{
    private static readonly Dictionary<string, FilterKind> ListFilters = [];

    public static void MapFilters(this RouteGroupBuilder group)
    {
        var filters = group.MapGroup("/listeners/{listener_id:long}/filters").WithTags("Filters");
        filters.MapGet("/", List).Produces<Page<ListenerFilter>>().WithListQuery(ListFilters).WithErrors(StatusCodes.Status404NotFound).WithSummary("List a listener's filters");
        filters.MapGet("/{id:long}", Get).Produces<ListenerFilter>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Get a filter");
        filters.MapPost("/", Create).AcceptsJson<FilterRequest>().WithErrors(StatusCodes.Status404NotFound).Produces<ListenerFilter>(StatusCodes.Status201Created)
            .WithSummary("Add a filter to a listener")
            .WithDescription("number: exactly one of eq (E.164), in (1–1000 numbers), match (+, digits, %). schedule: id of a schedule of the account.");
        filters.MapPatch("/{id:long}", Update).AcceptsJson<FilterChange>().Produces<ListenerFilter>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Change a filter");
        filters.MapDelete("/{id:long}", Delete).Produces<DeleteResult>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Delete a filter");
    }

    /// <summary>A schedule filter must name a schedule of the listener's account (api.md, Filters).</summary>
    public static async Task CheckScheduleAsync(HubConnection db, long voipId, FilterDraft draft, FieldErrors errors, CancellationToken cancellationToken)
    {
        if (draft.ScheduleId is { } id && (await ScheduleTable.FindAsync(db, id, cancellationToken))?.VoipId != voipId)
        {
            errors.Add("filter_value.id", $"no schedule {id} in this account");
        }
    }

    private static async Task<IResult> List(long listener_id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        var (paging, error) = Paging.Parse(context.Request, ListFilters);
        if (paging is null)
        {
            return error!;
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        if (await Listeners.FindVisibleAsync(db, Owner.Of(context), listener_id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Listener");
        }
        var rows = await Listing.PageAsync(db, FilterTable.Name, FilterTable.Columns, RowScope.Listener(listener_id), paging.Filters, paging.Limit, paging.Offset, FilterTable.Read, cancellationToken);
        return TypedResults.Json(paging.Answer(rows), ApiJsonContext.Relaxed.PageListenerFilter);
    }

    private static async Task<IResult> Get(long listener_id, long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        if (await Listeners.FindVisibleAsync(db, Owner.Of(context), listener_id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Listener");
        }
        var filter = await FilterTable.FindAsync(db, listener_id, id, cancellationToken);
        return filter is null ? ApiResults.NotFound("Filter") : TypedResults.Json(filter, ApiJsonContext.Relaxed.ListenerFilter);
    }

    private static async Task<IResult> Create(long listener_id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var listener = await Listeners.FindVisibleAsync(db, Owner.Of(context), listener_id, cancellationToken);
        if (listener is null)
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
            var draft = FilterInput.Read(document.RootElement, errors, existing: null);
            if (draft is null)
            {
                return ApiResults.Invalid(errors.All);
            }
            await db.BeginSerializableAsync(cancellationToken);
            await CheckScheduleAsync(db, listener.VoipId, draft, errors, cancellationToken);
            if (errors.Any)
            {
                return ApiResults.Invalid(errors.All);
            }
            if (await ListenerTable.FindAsync(db, listener_id, cancellationToken) is null)
            {
                return ApiResults.NotFound("Listener");
            }
            var filter = await FilterTable.InsertAsync(db, listener, draft.FilterType, draft.FilterValue, draft.NotLogic, cancellationToken);
            await db.CommitAsync(cancellationToken);
            return TypedResults.Json(filter, ApiJsonContext.Relaxed.ListenerFilter, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> Update(long listener_id, long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var listener = await Listeners.FindVisibleAsync(db, Owner.Of(context), listener_id, cancellationToken);
        var existing = listener is null ? null : await FilterTable.FindAsync(db, listener_id, id, cancellationToken);
        if (listener is null || existing is null)
        {
            return ApiResults.NotFound(listener is null ? "Listener" : "Filter");
        }
        var (document, error) = await JsonBody.ReadObjectAsync(context.Request);
        if (document is null)
        {
            return error!;
        }
        using (document)
        {
            var errors = new FieldErrors();
            var draft = FilterInput.Read(document.RootElement, errors, existing);
            if (draft is null)
            {
                return ApiResults.Invalid(errors.All);
            }
            await db.BeginSerializableAsync(cancellationToken);
            if (draft.ScheduleId != FilterInput.ScheduleIdOf(existing))
            {
                await CheckScheduleAsync(db, listener.VoipId, draft, errors, cancellationToken);
                if (errors.Any)
                {
                    return ApiResults.Invalid(errors.All);
                }
            }
            var updated = existing with { FilterType = draft.FilterType, FilterValue = draft.FilterValue, NotLogic = draft.NotLogic };
            if (await FilterTable.UpdateAsync(db, updated, cancellationToken) == 0)
            {
                return ApiResults.NotFound("Filter");
            }
            await db.CommitAsync(cancellationToken);
            return TypedResults.Json(updated, ApiJsonContext.Relaxed.ListenerFilter);
        }
    }

    private static async Task<IResult> Delete(long listener_id, long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        if (await Listeners.FindVisibleAsync(db, Owner.Of(context), listener_id, cancellationToken) is null
            || await FilterTable.FindAsync(db, listener_id, id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Filter");
        }
        await FilterTable.DeleteAsync(db, id, cancellationToken);
        return ApiResults.Deleted();
    }
}
