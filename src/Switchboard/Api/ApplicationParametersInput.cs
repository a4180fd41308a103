using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Delivery;

namespace Switchboard.Api;

/// <summary>The <c>parameters</c> of an APPLICATION callback, checked per application (delivery.md, APPLICATION callbacks).</summary>
internal static partial class ApplicationParametersInput
{
    private static readonly string[] StaticKeys = ["cd1", "cd2", "cd3", "cd4", "cd5", "cid", "dh", "dl", "ea", "ec", "el", "ev", "ni", "t", "tid", "uid", "v"];
    private static readonly string[] DynamicKeys = [.. StaticKeys.Except(["t", "tid", "v"])];
    private static readonly string[] DynamicValues = ["call_duration", "direction", "direction_text", "phone_number", "other_phone_number"];

    /// <summary>
    /// The normalised parameters, or null with the errors added under <paramref name="at"/>.
    /// <paramref name="storedApiSecret"/> is what an update replaces: answers mask it as <c>true</c>, and sending that back keeps it.
    /// </summary>
    public static JsonElement? Read(string application, JsonElement parameters, FieldErrors at, string? storedApiSecret) => application switch
    {
        ApplicationCallbackConfig.GoogleAnalytics => ReadGoogleAnalytics(parameters, at, storedApiSecret),
        _ => ReadSmsAutoresponder(parameters, at),
    };

    private static JsonElement? ReadGoogleAnalytics(JsonElement parameters, FieldErrors at, string? storedApiSecret)
    {
        at.RejectUnknown(parameters, "tracking_id", "api_secret", "static", "dynamic");
        var trackingId = at.String(parameters, "tracking_id", required: true, maxLength: 64);
        string? apiSecret = null;
        if (trackingId is not null)
        {
            if (UniversalAnalyticsId().IsMatch(trackingId))
            {
                if (FieldErrors.Has(parameters, "api_secret") && parameters.GetProperty("api_secret").ValueKind != JsonValueKind.Null)
                {
                    at.Add("api_secret", "is only used with a GA4 measurement id (G-…)");
                }
            }
            else if (MeasurementId().IsMatch(trackingId))
            {
                apiSecret = storedApiSecret is not null && parameters.TryGetProperty("api_secret", out var masked) && masked.ValueKind == JsonValueKind.True
                    ? storedApiSecret
                    : at.String(parameters, "api_secret", required: true, maxLength: 256);
            }
            else
            {
                at.Add("tracking_id", "must be a UA-… tracking id or a G-… measurement id");
            }
        }
        var statics = ReadMap(parameters, "static", StaticKeys, at, (key, value, itemAt) =>
            value.ValueKind switch
            {
                JsonValueKind.String => itemAt.CheckString(key, value.GetString()!, 500),
                JsonValueKind.Number => value.GetRawText(),
                _ => Fail(itemAt, key, "must be a string or a number"),
            });
        var dynamics = ReadMap(parameters, "dynamic", DynamicKeys, at, (key, value, itemAt) =>
            value.ValueKind == JsonValueKind.String && DynamicValues.Contains(value.GetString(), StringComparer.Ordinal)
                ? value.GetString()
                : Fail(itemAt, key, $"must be one of {string.Join(", ", DynamicValues)}"));
        if (at.Any || trackingId is null)
        {
            return null;
        }
        return JsonSerializer.SerializeToElement(new GoogleAnalyticsParameters(trackingId, apiSecret, statics, dynamics), CallbackConfigJsonContext.Default.GoogleAnalyticsParameters);
    }

    private static JsonElement? ReadSmsAutoresponder(JsonElement parameters, FieldErrors at)
    {
        at.RejectUnknown(parameters, "message", "rate-limit");
        var message = at.String(parameters, "message", required: true, maxLength: 1600);
        var rateLimit = FieldErrors.Has(parameters, "rate-limit") ? at.Integer(parameters, "rate-limit", required: false, min: 60, max: 2_592_000) : 300;
        if (at.Any || message is null || rateLimit is null)
        {
            return null;
        }
        return JsonSerializer.SerializeToElement(new SmsAutoresponderParameters(message, (int)rateLimit), CallbackConfigJsonContext.Default.SmsAutoresponderParameters);
    }

    /// <summary>An optional object whose keys must be in <paramref name="allowed"/> and whose values <paramref name="read"/> checks.</summary>
    private static Dictionary<string, string> ReadMap(JsonElement parameters, string field, string[] allowed, FieldErrors at, Func<string, JsonElement, FieldErrors, string?> read)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (at.Object(parameters, field, required: false, nullable: true) is not { } obj)
        {
            return map;
        }
        var mapAt = at.At(field);
        foreach (var property in obj.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                mapAt.Add(FieldErrors.Printable(property.Name, 64), $"is not an allowed parameter; use {string.Join(", ", allowed)}");
            }
            else if (read(property.Name, property.Value, mapAt) is { } value)
            {
                map[property.Name] = value;
            }
        }
        return map;
    }

    private static string? Fail(FieldErrors at, string key, string message)
    {
        at.Add(key, message);
        return null;
    }

    [GeneratedRegex(@"^UA-\d{1,12}-\d{1,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex UniversalAnalyticsId();

    [GeneratedRegex("^G-[A-Z0-9]{4,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex MeasurementId();
}
