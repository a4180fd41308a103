using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Delivery;

/// <summary>The delivery modes of a callback (api.md, Callbacks).</summary>
internal static class CallbackMode
{
    public const string Https = "HTTPS";
    public const string Http = "HTTP";
    public const string Email = "EMAIL";
    public const string Application = "APPLICATION";

    public static readonly string[] All = [Https, Http, Email, Application];

    public static bool IsHttp(string mode) => mode is Https or Http;
}

/// <summary>A header added to every request of an HTTP(S) callback.</summary>
internal sealed record CallbackHeader(string Name, string Value);

/// <summary>At most <see cref="Number"/> events in any <see cref="Period"/> seconds; the rest are suppressed.</summary>
internal sealed record CallbackRateLimit(int Number, int Period);

/// <summary>
/// The stored <c>config</c> of an HTTP or HTTPS callback. <see cref="Timeout"/> null means the
/// operator's default (<c>Delivery:DefaultTimeoutSeconds</c>).
/// </summary>
internal sealed record HttpCallbackConfig(
    string Url,
    string Method,
    IReadOnlyList<CallbackHeader>? Headers,
    int? Timeout,
    [property: JsonPropertyName("rate-limit")] CallbackRateLimit? RateLimit,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret = null);

/// <summary>The stored <c>config</c> of an EMAIL callback; <see cref="Mode"/> is <c>json</c> or <c>text</c>.</summary>
internal sealed record EmailCallbackConfig(
    string Email,
    string Mode,
    [property: JsonPropertyName("rate-limit")] CallbackRateLimit? RateLimit);

/// <summary>The stored <c>config</c> of an APPLICATION callback; the parameters' shape depends on the application.</summary>
internal sealed record ApplicationCallbackConfig(string Application, JsonElement Parameters)
{
    public const string GoogleAnalytics = "google-analytics";
    public const string SmsAutoresponder = "sms-autoresponder";
}

/// <summary>
/// <c>google-analytics</c> parameters (delivery.md): <see cref="Static"/> maps a hit parameter to
/// a literal, <see cref="Dynamic"/> to one of the values computed per event.
/// </summary>
internal sealed record GoogleAnalyticsParameters(
    string TrackingId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ApiSecret,
    IReadOnlyDictionary<string, string> Static,
    IReadOnlyDictionary<string, string> Dynamic);

/// <summary><c>sms-autoresponder</c> parameters: the reply, and the seconds between replies to one sender.</summary>
internal sealed record SmsAutoresponderParameters(
    string Message,
    [property: JsonPropertyName("rate-limit")] int RateLimit);

/// <summary>The JSON of callback configs, as stored and as delivery reads them back.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HttpCallbackConfig))]
[JsonSerializable(typeof(EmailCallbackConfig))]
[JsonSerializable(typeof(ApplicationCallbackConfig))]
[JsonSerializable(typeof(GoogleAnalyticsParameters))]
[JsonSerializable(typeof(SmsAutoresponderParameters))]
internal sealed partial class CallbackConfigJsonContext : JsonSerializerContext;
