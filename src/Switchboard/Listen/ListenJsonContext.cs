using System.Text.Json.Serialization;

namespace Switchboard.Listen;

/// <summary>The express create body (api.md, Overview) that registers the receiver: an inline callback and the subscriptions.</summary>
internal sealed record ExpressCreate(
    [property: JsonPropertyName(":callback")] ExpressCallback Callback,
    [property: JsonPropertyName(":subscriptions")] IReadOnlyList<ExpressSubscription> Subscriptions,
    bool Ordered);

internal sealed record ExpressCallback(string Name, HookConfig Config);

/// <summary>An HTTP callback's config; the secret makes the hub sign every request (delivery.md).</summary>
internal sealed record HookConfig(string Url, string Method, string Secret);

internal sealed record ExpressSubscription([property: JsonPropertyName(":tags")] IReadOnlyList<string> Tags);

/// <summary>What listen needs of the overview item the hub answers.</summary>
internal sealed record ExpressCreated(long Id, long CallbackId);

/// <summary>The API's error envelope (api.md, Errors).</summary>
internal sealed record HubErrorEnvelope([property: JsonPropertyName("@error")] HubError? Error);

internal sealed record HubError(
    [property: JsonPropertyName("@message")] string? Message,
    [property: JsonPropertyName("@fields")] Dictionary<string, string>? Fields);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ExpressCreate))]
[JsonSerializable(typeof(ExpressCreated))]
[JsonSerializable(typeof(HubErrorEnvelope))]
internal sealed partial class ListenJsonContext : JsonSerializerContext;
