using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary><c>/v4/accounts/{voip_id}/schedules</c>: business-hours calendars, account level only (api.md, Schedules).</summary>
internal static class Schedules
{
    public const string Base = "/v4/accounts/{voip_id:long}/schedules";

    private static readonly Dictionary<string, FilterKind> ListFilters = new() { ["name"] = FilterKind.Text };

    public static void MapSchedules(this RouteGroupBuilder schedules)
    {
        schedules.WithTags("Schedules");
        schedules.MapGet("/", List).Produces<Page<Schedule>>().WithListQuery(ListFilters).WithSummary("List schedules").WithDescription("Filter: name.");
        schedules.MapGet("/{id:long}", Get).Produces<Schedule>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Get a schedule");
        schedules.MapPost("/", Create).AcceptsJson<ScheduleRequest>().Produces<Schedule>(StatusCodes.Status201Created)
            .WithSummary("Create a schedule")
            .WithDescription("time_zone: IANA name. rules: days mon…sun, from ≤ local time < to (HH:mm). exceptions: a date closed (open: false) or open with its own from/to.");
        schedules.MapPatch("/{id:long}", Update).AcceptsJson<ScheduleChange>().Produces<Schedule>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Change a schedule");
        schedules.MapDelete("/{id:long}", Delete).Produces<DeleteResult>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Delete a schedule").WithDescription("Schedule filters naming it then fail.");
    }

    private static async Task<Schedule?> FindVisibleAsync(HubConnection db, Owner owner, long id, CancellationToken cancellationToken) =>
        await ScheduleTable.FindAsync(db, id, cancellationToken) is { } schedule && schedule.VoipId == owner.VoipId ? schedule : null;

    private static async Task<IResult> List(HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        var (paging, error) = Paging.Parse(context.Request, ListFilters);
        if (paging is null)
        {
            return error!;
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        var rows = await Listing.PageAsync(db, ScheduleTable.Name, ScheduleTable.Columns, Owner.Of(context).Rows, paging.Filters, paging.Limit, paging.Offset, ScheduleTable.Read, cancellationToken);
        return TypedResults.Json(paging.Answer(rows), ApiJsonContext.Relaxed.PageSchedule);
    }

    private static async Task<IResult> Get(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var schedule = await FindVisibleAsync(db, Owner.Of(context), id, cancellationToken);
        return schedule is null ? ApiResults.NotFound("Schedule") : TypedResults.Json(schedule, ApiJsonContext.Relaxed.Schedule);
    }

    private static async Task<IResult> Create(HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadObjectAsync(context.Request);
        if (document is null)
        {
            return error!;
        }
        using (document)
        {
            var errors = new FieldErrors();
            var draft = ScheduleInput.Read(document.RootElement, errors, Owner.Of(context).VoipId, existing: null);
            if (draft is null)
            {
                return ApiResults.Invalid(errors.All);
            }
            await using var db = await database.ConnectAsync(cancellationToken);
            var schedule = await ScheduleTable.InsertAsync(db, draft, cancellationToken);
            return TypedResults.Json(schedule, ApiJsonContext.Relaxed.Schedule, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> Update(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        var existing = await FindVisibleAsync(db, Owner.Of(context), id, cancellationToken);
        if (existing is null)
        {
            return ApiResults.NotFound("Schedule");
        }
        var (document, error) = await JsonBody.ReadObjectAsync(context.Request);
        if (document is null)
        {
            return error!;
        }
        using (document)
        {
            var errors = new FieldErrors();
            var updated = ScheduleInput.Read(document.RootElement, errors, existing.VoipId, existing);
            if (updated is null)
            {
                return ApiResults.Invalid(errors.All);
            }
            return await ScheduleTable.UpdateAsync(db, updated, cancellationToken) == 0
                ? ApiResults.NotFound("Schedule")
                : TypedResults.Json(updated, ApiJsonContext.Relaxed.Schedule);
        }
    }

    private static async Task<IResult> Delete(long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        if (await FindVisibleAsync(db, Owner.Of(context), id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Schedule");
        }
        await ScheduleTable.DeleteAsync(db, id, cancellationToken);
        return ApiResults.Deleted();
    }
}
