using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace Switchboard.Api;

/// <summary>
/// Request bodies are read by hand rather than bound to types, so that every wrong kind, null,
/// missing or unknown field can be reported by name in <c>@fields</c> (api.md, Errors).
/// </summary>
internal static class JsonBody
{
    private static readonly JsonDocumentOptions Options = new()
    {
        // {"name": "a", "name": "b"} is ambiguous: refused as malformed rather than guessed.
        AllowDuplicateProperties = false,
        MaxDepth = 32,
    };

    /// <summary>The body as a JSON object, or the error answer: 415 not JSON, 400 not an object.</summary>
    public static async Task<(JsonDocument? Document, IResult? Error)> ReadObjectAsync(HttpRequest request)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, ApiResults.Error(StatusCodes.Status415UnsupportedMediaType));
        }
        JsonDocument document;
        try
        {
            // The body size is capped by Kestrel (Api:MaxBodyBytes); past it the read fails with 413.
            document = await JsonDocument.ParseAsync(request.Body, Options, request.HttpContext.RequestAborted);
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

    /// <summary><c>application/json</c> or a <c>+json</c> type, with any parameters (charset).</summary>
    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));
}
