using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Delivery;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>A listener's callback in the overview: the callback object plus its profile and fallback (api.md, Overview).</summary>
internal sealed record OverviewCallback(
    long Id, long VoipId, long? ExtensionId, long? FallbackCallbackId, string? Name, long? ProfileId, bool Enabled, string Mode, JsonElement Config,
    [property: JsonPropertyName(":profile")] Profile? Profile,
    [property: JsonPropertyName(":fallback")] Callback? Fallback);

/// <summary>One listener of the overview with everything it uses.</summary>
internal sealed record OverviewItem(
    long Id, long VoipId, long? ExtensionId, string Version, long CallbackId, long CreatedAt, long? ExpiresAt, bool Ordered,
    [property: JsonPropertyName(":callback")] OverviewCallback? Callback,
    [property: JsonPropertyName(":subscriptions")] IReadOnlyList<SubscriptionView> Subscriptions,
    [property: JsonPropertyName(":filters")] IReadOnlyList<ListenerFilter> Filters)
{
    /// <summary>Reads what the listener uses; callbacks are masked as everywhere else.</summary>
    public static async Task<OverviewItem> LoadAsync(HubConnection db, Listener listener, CancellationToken cancellationToken)
    {
        OverviewCallback? shown = null;
        if (await CallbackTable.FindAsync(db, listener.CallbackId, cancellationToken) is { } found)
        {
            var callback = found.Masked();
            var profile = callback.ProfileId is { } profileId ? await ProfileTable.FindAsync(db, profileId, cancellationToken) : null;
            var fallback = callback.FallbackCallbackId is { } fallbackId ? (await CallbackTable.FindAsync(db, fallbackId, cancellationToken))?.Masked() : null;
            shown = new OverviewCallback(callback.Id, callback.VoipId, callback.ExtensionId, callback.FallbackCallbackId, callback.Name, callback.ProfileId,
                callback.Enabled, callback.Mode, callback.Config, profile, fallback);
        }
        var subscriptions = await SubscriptionTable.OfListenerAsync(db, listener.Id, cancellationToken);
        var filters = await FilterTable.OfListenerAsync(db, listener.Id, cancellationToken);
        return new OverviewItem(listener.Id, listener.VoipId, listener.ExtensionId, listener.Version, listener.CallbackId, listener.CreatedAt, listener.ExpiresAt, listener.Ordered,
            shown, [.. subscriptions.Select(SubscriptionView.Of)], filters);
    }
}

/// <summary>An express create body as the OpenAPI document shows it (read by hand, <see cref="ExpressInput"/>).</summary>
internal sealed record ExpressRequest(
    [property: JsonPropertyName(":subscriptions")] IReadOnlyList<SubscriptionRequest> Subscriptions,
    [property: RefusesNull] long? CallbackId = null,
    [property: JsonPropertyName(":callback"), RefusesNull] ExpressCallbackRequest? Callback = null,
    [property: JsonPropertyName(":filters"), RefusesNull] IReadOnlyList<FilterRequest>? Filters = null,
    [property: RefusesNull, AllowedValues(ListenerInput.Version2)] string? Version = null,
    long? ExpiresAt = null,
    [property: RefusesNull] bool? Ordered = null);

/// <summary>An inline callback of an express create, which may carry an inline profile.</summary>
internal sealed record ExpressCallbackRequest(
    JsonElement Config, string? Name = null, long? FallbackCallbackId = null, long? ProfileId = null, bool Enabled = true,
    [property: RefusesNull, AllowedValues(CallbackMode.Https, CallbackMode.Http, CallbackMode.Email, CallbackMode.Application)] string? Mode = null,
    [property: JsonPropertyName(":profile"), RefusesNull] ProfileRequest? Profile = null);
