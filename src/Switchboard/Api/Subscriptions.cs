using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Events;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>A subscription as the API shows it (api.md, Subscriptions).</summary>
internal sealed record SubscriptionView(long Id, [property: JsonPropertyName(":tags")] IReadOnlyList<string> Tags)
{
    public static SubscriptionView Of(Subscription subscription) => new(subscription.Id, subscription.Tags);
}

/// <summary>A subscription create body as the OpenAPI document shows it.</summary>
internal sealed record SubscriptionRequest([property: JsonPropertyName(":tags")] IReadOnlyList<string> Tags);

/// <summary>The <c>:tags</c> of a subscription body (tags.md, The tag list).</summary>
internal static class SubscriptionInput
{
    /// <summary>More items than this cannot be meant: there are fewer known tags.</summary>
    private const int MaxItems = 100;

    /// <summary>The tags, duplicates removed, in the order given; null when any is wrong.</summary>
    public static IReadOnlyList<string>? Read(JsonElement body, FieldErrors errors, bool accountLevel)
    {
        errors.RejectUnknown(body, ":tags");
        if (errors.Array(body, ":tags", required: true, minItems: 1, maxItems: MaxItems) is not { } array)
        {
            return null;
        }
        var tags = new List<string>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var field = $":tags[{i++}]";
            if (item.ValueKind != JsonValueKind.String)
            {
                errors.Add(field, "must be a string");
            }
            else if (item.GetString() is not { } tag || !Tags.IsKnown(tag))
            {
                errors.Add(field, $"\"{FieldErrors.Printable(item.GetString()!, 64)}\" is not a known tag");
            }
            else if (Tags.IsAccountOnly(tag) && !accountLevel)
            {
                errors.Add(field, $"{tag} may only be subscribed by account-level listeners");
            }
            else if (!tags.Contains(tag))
            {
                tags.Add(tag);
            }
        }
        return errors.Any ? null : tags;
    }
}

/// <summary><c>{base}/listeners/{listener_id}/subscriptions</c>: list, get, create, delete; no update (api.md, Subscriptions).</summary>
internal static class Subscriptions
{
    private static readonly Dictionary<string, FilterKind> ListFilters = [];

    public static void MapSubscriptions(this RouteGroupBuilder group)
    {
        var subscriptions = group.MapGroup("/listeners/{listener_id:long}/subscriptions").WithTags("Subscriptions");
        subscriptions.MapGet("/", List).Produces<Page<SubscriptionView>>().WithListQuery(ListFilters).WithErrors(StatusCodes.Status404NotFound).WithSummary("List a listener's subscriptions");
        subscriptions.MapGet("/{id:long}", Get).Produces<SubscriptionView>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Get a subscription");
        subscriptions.MapPost("/", Create).AcceptsJson<SubscriptionRequest>().WithErrors(StatusCodes.Status404NotFound).Produces<SubscriptionView>(StatusCodes.Status201Created)
            .WithSummary("Subscribe a listener to a set of tags")
            .WithDescription("Known tags only; duplicates are removed; api-error and api-error-trusted only for account-level listeners.");
        subscriptions.MapDelete("/{id:long}", Delete).Produces<DeleteResult>().WithErrors(StatusCodes.Status404NotFound).WithSummary("Delete a subscription");
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
        var rows = await Listing.PageAsync(db, SubscriptionTable.Name, SubscriptionTable.Columns, RowScope.Listener(listener_id), paging.Filters, paging.Limit, paging.Offset, SubscriptionTable.Read, cancellationToken);
        return TypedResults.Json(paging.Answer(rows, SubscriptionView.Of), ApiJsonContext.Relaxed.PageSubscriptionView);
    }

    private static async Task<IResult> Get(long listener_id, long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        if (await Listeners.FindVisibleAsync(db, Owner.Of(context), listener_id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Listener");
        }
        var subscription = await SubscriptionTable.FindAsync(db, listener_id, id, cancellationToken);
        return subscription is null ? ApiResults.NotFound("Subscription") : TypedResults.Json(SubscriptionView.Of(subscription), ApiJsonContext.Relaxed.SubscriptionView);
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
            var tags = SubscriptionInput.Read(document.RootElement, errors, accountLevel: listener.ExtensionId is null);
            if (tags is null)
            {
                return ApiResults.Invalid(errors.All);
            }
            await db.BeginSerializableAsync(cancellationToken);
            if (await ListenerTable.FindAsync(db, listener_id, cancellationToken) is null)
            {
                return ApiResults.NotFound("Listener");
            }
            var subscription = await SubscriptionTable.InsertAsync(db, listener, tags, cancellationToken);
            await db.CommitAsync(cancellationToken);
            return TypedResults.Json(SubscriptionView.Of(subscription), ApiJsonContext.Relaxed.SubscriptionView, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> Delete(long listener_id, long id, HttpContext context, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        if (await Listeners.FindVisibleAsync(db, Owner.Of(context), listener_id, cancellationToken) is null
            || await SubscriptionTable.FindAsync(db, listener_id, id, cancellationToken) is null)
        {
            return ApiResults.NotFound("Subscription");
        }
        await SubscriptionTable.DeleteAsync(db, id, cancellationToken);
        return ApiResults.Deleted();
    }
}
