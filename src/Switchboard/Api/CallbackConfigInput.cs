using System.Text.Json;
using Switchboard.Delivery;
using Switchboard.Events;

namespace Switchboard.Api;

/// <summary>A callback's config, checked for its mode and normalised to the stored shape.</summary>
internal sealed record CheckedConfig(string Mode, JsonElement Config, HttpCallbackConfig? Http);

/// <summary>
/// <c>config</c> of a callback body, by mode (api.md, Callbacks): mode inference, the HTTP(S),
/// EMAIL and APPLICATION shapes, and the masked values (<c>true</c>) a client may send back
/// unchanged in an update.
/// </summary>
internal static class CallbackConfigInput
{
    private static readonly string[] Methods = ["POST", "GET", "PUT", "PATCH", "DELETE"];

    /// <summary>Headers Switchboard sets itself, or that would break the request if a client set them.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Expect", "TE", "Trailer",
        "User-Agent", "webhook-id", "webhook-timestamp", "webhook-signature",
    };

    private const int MaxHeaders = 50;

    /// <summary>Standard Webhooks asks for keys of 24 bytes (192 bits) or more; a shorter one makes signatures guessable.</summary>
    private const int MinSecretBytes = 24;

    /// <summary>
    /// Bounds of <c>rate-limit</c> (api.md): a million events, over at most 30 days. Beyond them a
    /// limit stops limiting anything a receiver would notice.
    /// </summary>
    private const int MaxRateLimitNumber = 1_000_000, MaxRateLimitPeriod = 2_592_000;

    /// <summary>
    /// Checks <paramref name="config"/> for <paramref name="mode"/> (inferred when null). Errors go
    /// to <paramref name="errors"/> under <c>config.</c> (or <c>mode</c>); null when there were any.
    /// <paramref name="previous"/> is the stored config an update replaces, for masked values.
    /// </summary>
    public static CheckedConfig? Read(JsonElement config, string? mode, FieldErrors errors, JsonElement? previous)
    {
        var at = errors.At("config");
        mode ??= Infer(config, errors);
        if (mode is null)
        {
            return null;
        }
        return mode switch
        {
            CallbackMode.Https or CallbackMode.Http => ReadHttp(config, mode, at, previous),
            CallbackMode.Email => ReadEmail(config, at),
            _ => ReadApplication(config, at, previous),
        };
    }

    /// <summary>The family of configs a stored config belongs to, to tell whether a new mode fits it.</summary>
    public static bool Fits(string mode, JsonElement storedConfig) => mode switch
    {
        CallbackMode.Https or CallbackMode.Http => FieldErrors.Has(storedConfig, "url"),
        CallbackMode.Email => FieldErrors.Has(storedConfig, "email"),
        _ => FieldErrors.Has(storedConfig, "application"),
    };

    /// <summary>api.md: HTTPS for an https:// URL, HTTP for http://, EMAIL with email, APPLICATION with application.</summary>
    private static string? Infer(JsonElement config, FieldErrors errors)
    {
        if (config.TryGetProperty("url", out var url))
        {
            if (url.ValueKind == JsonValueKind.String && ParseUrl(url.GetString()!) is { } uri)
            {
                return uri.Scheme == Uri.UriSchemeHttps ? CallbackMode.Https : CallbackMode.Http;
            }
            errors.Add("config.url", "must be an absolute http or https URL");
            return null;
        }
        if (FieldErrors.Has(config, "email"))
        {
            return CallbackMode.Email;
        }
        if (FieldErrors.Has(config, "application"))
        {
            return CallbackMode.Application;
        }
        errors.Add("config", "must have url (HTTP, HTTPS), email (EMAIL) or application (APPLICATION)");
        return null;
    }

    private static CheckedConfig? ReadHttp(JsonElement config, string mode, FieldErrors at, JsonElement? previous)
    {
        at.RejectUnknown(config, "url", "method", "headers", "timeout", "rate-limit", "secret");
        var url = at.String(config, "url", required: true, maxLength: 2048);
        if (url is not null)
        {
            if (ParseUrl(url) is not { } uri)
            {
                at.Add("url", "must be an absolute http or https URL");
            }
            else if (mode == CallbackMode.Https && uri.Scheme != "https")
            {
                at.Add("url", "must be an https URL when mode is HTTPS");
            }
        }
        var method = FieldErrors.Has(config, "method") ? at.OneOf(config, "method", required: false, Methods) : "POST";
        var stored = previous is { } p && FieldErrors.Has(p, "url") ? JsonSerializer.Deserialize(p, CallbackConfigJsonContext.Default.HttpCallbackConfig) : null;
        var headers = ReadHeaders(config, at, stored?.Headers ?? []);
        var timeout = at.Integer(config, "timeout", required: false, nullable: true, min: 1, max: 30);
        var rateLimit = ReadRateLimit(config, at);
        string? secret = null;
        if (config.TryGetProperty("secret", out var secretValue) && secretValue.ValueKind == JsonValueKind.True && stored?.Secret is not null)
        {
            secret = stored.Secret; // the masked value sent back: keep what is stored
        }
        else if ((secret = at.String(config, "secret", required: false, nullable: true, maxLength: 512)) is not null && !IsSigningSecret(secret))
        {
            at.Add("secret", $"must be a Standard Webhooks secret: whsec_ followed by the base64 of at least {MinSecretBytes} bytes");
        }
        if (at.Any || url is null || method is null)
        {
            return null;
        }
        var http = new HttpCallbackConfig(url, method, headers, (int?)timeout, rateLimit, secret);
        return new CheckedConfig(mode, JsonSerializer.SerializeToElement(http, CallbackConfigJsonContext.Default.HttpCallbackConfig), http);
    }

    /// <summary>Null or an array of <c>{"name", "value"}</c>; a value of <c>true</c> keeps the stored value of that header (responses mask it so).</summary>
    private static List<CallbackHeader>? ReadHeaders(JsonElement config, FieldErrors at, IReadOnlyList<CallbackHeader> stored)
    {
        if (at.Array(config, "headers", required: false, nullable: true, maxItems: MaxHeaders) is not { } array)
        {
            return null;
        }
        var headers = new List<CallbackHeader>();
        var unused = stored.ToList();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemAt = at.At($"headers[{i++}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                itemAt.AddHere("must be an object with name and value");
                continue;
            }
            itemAt.RejectUnknown(item, "name", "value");
            var name = itemAt.String(item, "name", required: true, maxLength: 256);
            if (name is not null && !IsToken(name))
            {
                itemAt.Add("name", "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)");
                name = null;
            }
            else if (name is not null && ReservedHeaders.Contains(name))
            {
                itemAt.Add("name", $"{name} is set by Switchboard and cannot be configured");
                name = null;
            }
            string? value;
            if (item.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.True && name is not null
                && unused.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } kept)
            {
                unused.Remove(kept);
                value = kept.Value;
            }
            else if ((value = itemAt.String(item, "value", required: true, maxLength: 4096)) is not null && value.Any(c => c is '\r' or '\n' or '\0'))
            {
                itemAt.Add("value", "must not contain line breaks");
                value = null;
            }
            if (name is not null && value is not null)
            {
                headers.Add(new CallbackHeader(name, value));
            }
        }
        return headers;
    }

    private static CallbackRateLimit? ReadRateLimit(JsonElement config, FieldErrors at)
    {
        if (at.Object(config, "rate-limit", required: false, nullable: true) is not { } limit)
        {
            return null;
        }
        var limitAt = at.At("rate-limit");
        limitAt.RejectUnknown(limit, "number", "period");
        var number = limitAt.Integer(limit, "number", required: true, min: 1, max: MaxRateLimitNumber);
        var period = limitAt.Integer(limit, "period", required: true, min: 1, max: MaxRateLimitPeriod);
        return number is null || period is null ? null : new CallbackRateLimit((int)number, (int)period);
    }

    private static CheckedConfig? ReadEmail(JsonElement config, FieldErrors at)
    {
        at.RejectUnknown(config, "email", "mode", "rate-limit");
        var email = at.String(config, "email", required: true, maxLength: 254);
        if (email is not null && !FieldErrors.IsEmail(email))
        {
            at.Add("email", "must be an e-mail address");
        }
        var mode = FieldErrors.Has(config, "mode") ? at.OneOf(config, "mode", required: false, "json", "text") : "json";
        var rateLimit = ReadRateLimit(config, at);
        if (at.Any || email is null || mode is null)
        {
            return null;
        }
        return new CheckedConfig(CallbackMode.Email, JsonSerializer.SerializeToElement(new EmailCallbackConfig(email, mode, rateLimit), CallbackConfigJsonContext.Default.EmailCallbackConfig), null);
    }

    private static CheckedConfig? ReadApplication(JsonElement config, FieldErrors at, JsonElement? previous)
    {
        at.RejectUnknown(config, "application", "parameters");
        var application = at.OneOf(config, "application", required: true, ApplicationCallbackConfig.GoogleAnalytics, ApplicationCallbackConfig.SmsAutoresponder);
        var parameters = at.Object(config, "parameters", required: true);
        if (application is null || parameters is null)
        {
            return null;
        }
        var storedApiSecret = previous is { } p && p.TryGetProperty("parameters", out var storedParameters)
            && storedParameters.ValueKind == JsonValueKind.Object && storedParameters.TryGetProperty("api_secret", out var stored)
            && stored.ValueKind == JsonValueKind.String ? stored.GetString() : null;
        var normalised = ApplicationParametersInput.Read(application, parameters.Value, at.At("parameters"), storedApiSecret);
        if (at.Any || normalised is null)
        {
            return null;
        }
        return new CheckedConfig(CallbackMode.Application, JsonSerializer.SerializeToElement(new ApplicationCallbackConfig(application, normalised.Value), CallbackConfigJsonContext.Default.ApplicationCallbackConfig), null);
    }

    /// <summary>
    /// The one check of a callback URL, whether the mode is given or inferred. Uri would quietly
    /// repair what no HTTP client sends as typed (<c>http:\\host</c>, a tab or a space, which it
    /// turns into slashes or drops), so those are refused rather than stored in a shape that
    /// means one URL to the user and another to the sender.
    /// </summary>
    private static Uri? ParseUrl(string text)
    {
        var typed = text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (!typed || text.Any(c => c is '\\' or <= ' ' or '\u007f'))
        {
            return null;
        }
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is ("http" or "https") && uri.Host.Length > 0 && uri.UserInfo.Length == 0 ? uri : null;
    }

    /// <summary>
    /// Stricter than what a receiver accepts (<see cref="WebhookSignature.IsValidSecret"/> also takes bare
    /// base64): the prefix tells a pasted secret from any other string, and the hub is where keys are set.
    /// </summary>
    private static bool IsSigningSecret(string secret)
    {
        if (!secret.StartsWith(WebhookSignature.SecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var encoded = secret.AsSpan(WebhookSignature.SecretPrefix.Length);
        Span<byte> key = stackalloc byte[encoded.Length];
        return Convert.TryFromBase64Chars(encoded, key, out var length) && length >= MinSecretBytes;
    }

    /// <summary>RFC 9110 token characters.</summary>
    private static bool IsToken(string name) => name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));
}
