using System.Text.Json;

namespace Switchboard.Api;

/// <summary>
/// An express create body (api.md, Overview), checked as a whole: the listener fields, either
/// <c>callback_id</c> or an inline <c>:callback</c> (with an optional inline <c>:profile</c>), at
/// least one <c>:subscriptions</c> item and optional <c>:filters</c>. Errors carry full paths
/// (<c>:callback.config.url</c>, <c>:subscriptions[0].:tags[1]</c>).
/// </summary>
internal sealed record ExpressInput(
    ListenerInput Listener,
    CallbackDraft? Callback,
    ProfileInput? Profile,
    IReadOnlyList<IReadOnlyList<string>> Subscriptions,
    IReadOnlyList<FilterDraft> Filters)
{
    private const int MaxItems = 100;

    public static ExpressInput? Read(JsonElement body, Owner owner, FieldErrors errors, DateTimeOffset now)
    {
        var listener = ListenerInput.Read(body, errors, now, callbackRequired: false, ":callback", ":subscriptions", ":filters");
        var callback = ReadCallback(body, owner, errors, listener, out var profile);
        var subscriptions = new List<IReadOnlyList<string>>();
        if (errors.Array(body, ":subscriptions", required: true, minItems: 1, maxItems: MaxItems) is { } subscriptionArray)
        {
            var i = 0;
            foreach (var item in subscriptionArray.EnumerateArray())
            {
                var at = errors.At($":subscriptions[{i++}]");
                if (item.ValueKind != JsonValueKind.Object)
                {
                    at.AddHere("must be an object with :tags");
                }
                else if (SubscriptionInput.Read(item, at, accountLevel: owner.ExtensionId is null) is { } tags)
                {
                    subscriptions.Add(tags);
                }
            }
        }
        var filters = new List<FilterDraft>();
        if (errors.Array(body, ":filters", required: false, maxItems: MaxItems) is { } filterArray)
        {
            var i = 0;
            foreach (var item in filterArray.EnumerateArray())
            {
                var at = errors.At($":filters[{i++}]");
                if (item.ValueKind != JsonValueKind.Object)
                {
                    at.AddHere("must be an object with filter_type and filter_value");
                }
                else if (FilterInput.Read(item, at, existing: null) is { } filter)
                {
                    filters.Add(filter);
                }
            }
        }
        return errors.Any ? null : new ExpressInput(listener, callback, profile, subscriptions, filters);
    }

    private static CallbackDraft? ReadCallback(JsonElement body, Owner owner, FieldErrors errors, ListenerInput listener, out ProfileInput? profile)
    {
        profile = null;
        var inline = FieldErrors.Has(body, ":callback");
        if (inline && FieldErrors.Has(body, "callback_id"))
        {
            errors.Add(":callback", "give callback_id or :callback, not both");
            return null;
        }
        if (!inline)
        {
            if (!FieldErrors.Has(body, "callback_id"))
            {
                errors.Add("callback_id", "is required unless :callback is given");
            }
            return null;
        }
        if (errors.Object(body, ":callback", required: true) is not { } callbackBody)
        {
            return null;
        }
        var at = errors.At(":callback");
        var draft = CallbackInput.ReadCreate(callbackBody, owner, at, ":profile");
        if (FieldErrors.Has(callbackBody, ":profile"))
        {
            if (callbackBody.TryGetProperty("profile_id", out var profileId) && profileId.ValueKind != JsonValueKind.Null)
            {
                at.Add(":profile", "give profile_id or :profile, not both");
            }
            else if (at.Object(callbackBody, ":profile", required: true) is { } profileBody)
            {
                profile = ProfileInput.Read(profileBody, at.At(":profile"), creating: true);
            }
        }
        return draft;
    }
}
