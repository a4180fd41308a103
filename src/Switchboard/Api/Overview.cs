using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// <c>{base}/overview</c>: listeners with everything they use, and the express create that makes
/// a listener, its callback (and profile), subscriptions and filters in one transaction (api.md, Overview).
/// </summary>
internal static class Overview
{
    private static readonly Dictionary<string, FilterKind> ListFilters = new() { ["callback_id"] = FilterKind.Integer };

    public static void MapOverview(this RouteGroupBuilder group)
    {
        var overview = group.MapGroup("/overview").WithTags("Overview");
        overview.MapGet("/", List).Produces<Page<OverviewItem>>().WithListQuery(ListFilters).WithSummary("List listeners with their callback, profile, fallback, subscriptions and filters")
            .WithDescription("Filter: callback_id.");
        overview.MapPost("/", Create).AcceptsJson<ExpressRequest>().Produces<OverviewItem>(StatusCodes.Status201Created)
            .WithSummary("Express create: a listener with its callback, subscriptions and filters, all or nothing")
            .WithDescription("Give callback_id or an inline :callback (which may carry an inline :profile); at least one :subscriptions item.");
    }

    private static async Task<IResult> List(HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        var (paging, error) = Paging.Parse(context.Request, ListFilters);
        if (paging is null)
        {
            return error!;
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        var items = await PageAsync(db, Owner.Of(context), paging.Filters, paging.Limit, paging.Offset, cancellationToken);
        return TypedResults.Json(paging.Answer(items), ApiJsonContext.Relaxed.PageOverviewItem);
    }

    /// <summary>A page of the listeners visible from the owner's base, newest first, each with everything it uses.</summary>
    public static async Task<PageRows<OverviewItem>> PageAsync(
        HubConnection db, Owner owner, IReadOnlyList<(string Column, object Value)> filters, int limit, int offset, CancellationToken cancellationToken)
    {
        var rows = await Listing.PageAsync(db, ListenerTable.Name, ListenerTable.Columns, owner.Rows, filters, limit, offset, ListenerTable.Read, cancellationToken);
        var items = new List<OverviewItem>(rows.Items.Count);
        foreach (var listener in rows.Items)
        {
            items.Add(await OverviewItem.LoadAsync(db, listener, cancellationToken));
        }
        return new PageRows<OverviewItem>(rows.Total, items);
    }

    private static async Task<IResult> Create(HttpContext context, HubDatabase database, Delivery.CallbackVerifier verifier, TimeProvider time, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadObjectAsync(context.Request);
        if (document is null)
        {
            return error!;
        }
        using (document)
        {
            return await CreateAsync(database, verifier, time, Owner.Of(context), document.RootElement, cancellationToken);
        }
    }

    /// <summary>Express create from the owner's base: 201 with the overview item, or the error; nothing is created on an error.</summary>
    public static async Task<IResult> CreateAsync(
        HubDatabase database, Delivery.CallbackVerifier verifier, TimeProvider time, Owner owner, System.Text.Json.JsonElement body, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new FieldErrors();
        var input = ExpressInput.Read(body, owner, errors, now);
        if (input is null)
        {
            return ApiResults.Invalid(errors.All);
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        await CheckReferencesAsync(db, owner, input, errors, cancellationToken);
        if (errors.Any)
        {
            return ApiResults.Invalid(errors.All);
        }
        // The URL is verified before the write transaction: a slow receiver must not hold the database.
        if (input.Callback?.Http is { } http && await verifier.VerifyAsync(http, cancellationToken) is { } failure)
        {
            return ApiResults.VerificationFailed(failure, ":callback.config.url");
        }
        await db.BeginSerializableAsync(cancellationToken);
        await CheckReferencesAsync(db, owner, input, errors, cancellationToken);
        if (errors.Any)
        {
            return ApiResults.Invalid(errors.All);
        }
        var callbackId = input.Listener.CallbackId ?? 0;
        if (input.Callback is { } draft)
        {
            var row = draft.Row;
            if (input.Profile is { } profile)
            {
                var created = await ProfileTable.InsertAsync(db, owner.VoipId, owner.ExtensionId, profile.Name!, profile.SupportEmail, now.ToUnixTimeSeconds(), cancellationToken);
                row = row with { ProfileId = created.Id };
            }
            callbackId = (await CallbackTable.InsertAsync(db, row, cancellationToken)).Id;
        }
        var listener = await ListenerTable.InsertAsync(db,
            new Listener(0, owner.VoipId, owner.ExtensionId, input.Listener.Version ?? ListenerInput.Version2, callbackId, now.ToUnixTimeSeconds(), input.Listener.ExpiresAt, input.Listener.Ordered ?? false),
            cancellationToken);
        foreach (var tags in input.Subscriptions)
        {
            await SubscriptionTable.InsertAsync(db, listener, tags, cancellationToken);
        }
        foreach (var filter in input.Filters)
        {
            await FilterTable.InsertAsync(db, listener, filter.FilterType, filter.FilterValue, filter.NotLogic, cancellationToken);
        }
        var item = await OverviewItem.LoadAsync(db, listener, cancellationToken);
        await db.CommitAsync(cancellationToken);
        return TypedResults.Json(item, ApiJsonContext.Relaxed.OverviewItem, statusCode: StatusCodes.Status201Created);
    }

    private static async Task CheckReferencesAsync(HubConnection db, Owner owner, ExpressInput input, FieldErrors errors, CancellationToken cancellationToken)
    {
        if (input.Listener.CallbackId is { } callbackId)
        {
            await Listeners.CheckCallbackAsync(db, owner, callbackId, errors, cancellationToken);
        }
        if (input.Callback is { } draft)
        {
            await Callbacks.CheckReferencesAsync(db, owner, draft.Row, errors.At(":callback"), cancellationToken);
        }
        for (var i = 0; i < input.Filters.Count; i++)
        {
            await Filters.CheckScheduleAsync(db, owner.VoipId, input.Filters[i], errors.At($":filters[{i}]"), cancellationToken);
        }
    }
}
