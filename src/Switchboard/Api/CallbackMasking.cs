using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// api.md, Callbacks, Masking: in every response the values of credential headers and
/// <c>config.secret</c> read <c>true</c>, and so does a google-analytics <c>api_secret</c>
/// (a credential too, though api.md does not name it). Stored values are used for delivery unchanged.
/// </summary>
internal static class CallbackMasking
{
    internal static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "X-Api-Key", "Cookie",
    };

    public static Callback Masked(this Callback callback) => callback with { Config = Mask(callback.Config) };

    private static JsonElement Mask(JsonElement config)
    {
        var hasSecret = config.TryGetProperty("secret", out var secret) && secret.ValueKind != JsonValueKind.Null;
        var hasSecretHeader = config.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Array
            && headers.EnumerateArray().Any(IsSecretHeader);
        var hasApiSecret = config.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("api_secret", out var apiSecret) && apiSecret.ValueKind != JsonValueKind.Null;
        if (!hasSecret && !hasSecretHeader && !hasApiSecret)
        {
            return config;
        }
        var node = JsonNode.Parse(config.GetRawText())!.AsObject();
        if (hasSecret)
        {
            node["secret"] = true;
        }
        if (hasApiSecret)
        {
            node["parameters"]!["api_secret"] = true;
        }
        foreach (var header in node["headers"] as JsonArray ?? [])
        {
            if (header is JsonObject h && h["name"]?.GetValue<string>() is { } name && SecretHeaders.Contains(name))
            {
                h["value"] = true;
            }
        }
        return StoredJson.Parse(node.ToJsonString());
    }

    private static bool IsSecretHeader(JsonElement header) =>
        header.ValueKind == JsonValueKind.Object && header.TryGetProperty("name", out var name)
        && name.ValueKind == JsonValueKind.String && SecretHeaders.Contains(name.GetString()!);
}
