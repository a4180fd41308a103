using System.Text.Json;

namespace Switchboard.Api;

/// <summary>
/// Request bodies are read by hand rather than bound to types, so that every wrong kind, null,
/// missing or unknown field can be reported by name in <c>@fields</c> (api.md, Errors).
/// </summary>
internal static class JsonBody
{
    /// <summary>The body as a JSON object, or the error answer: 415 not JSON, 400 not an object.</summary>
    public static async Task<(JsonDocument? Document, IResult? Error)> ReadObjectAsync(HttpRequest request)
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ApiResults.Error(StatusCodes.Status415UnsupportedMediaType));
        }
        JsonDocument document;
        try
        {
            // The body size is capped by Kestrel (Api:MaxBodyBytes); past it the read fails with 413.
            document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {e.Message.Split(" Path:")[0]}"));
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, "The body must be a JSON object."));
        }
        return (document, null);
    }
}
