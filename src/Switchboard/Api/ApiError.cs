using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Api;

/// <summary>
/// The <c>@error</c> envelope every non-2xx answer carries (api.md, Errors), with <c>@fields</c>
/// naming each offending field on 422.
/// </summary>
internal sealed record ApiError(
    [property: JsonPropertyName("@message")] string Message,
    [property: JsonPropertyName("@httpStatusCode")] int HttpStatusCode,
    [property: JsonPropertyName("@time")] string Time,
    [property: JsonPropertyName("@fields"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Fields = null)
{
    public static ApiErrorEnvelope Create(int status, string message, TimeProvider time, IReadOnlyDictionary<string, string>? fields = null) =>
        new(new ApiError(message, status, time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), fields));

    /// <summary>The message for a status when there is nothing more specific to say.</summary>
    public static string DefaultMessage(int status) => status switch
    {
        400 => "Bad request.",
        401 => "Unauthorized: send Authorization: Bearer <token>.",
        403 => "Forbidden: this token may not use this account or extension.",
        404 => "Not found.",
        405 => "Method not allowed.",
        408 => "Request timeout.",
        409 => "Conflict.",
        413 => "Request body too large.",
        415 => "Unsupported media type: send Content-Type: application/json.",
        422 => "Unprocessable entity.",
        429 => "Too many requests.",
        _ => "Internal server error.",
    };

    /// <summary>Writes the envelope as the whole response.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string? message = null, IReadOnlyDictionary<string, string>? fields = null)
    {
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, Create(status, message ?? DefaultMessage(status), time, fields), ApiJsonContext.Relaxed.ApiErrorEnvelope, context.RequestAborted);
    }
}

internal sealed record ApiErrorEnvelope([property: JsonPropertyName("@error")] ApiError Error);
