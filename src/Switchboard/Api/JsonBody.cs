using System.Text.Json;
using System.Text.Unicode;
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

    private const string UnreadableString = "The body has a string that is not valid Unicode (an escaped lone surrogate such as \\ud800).";

    /// <summary>The body as a JSON object, or the error answer: 415 not JSON, 400 not an object.</summary>
    public static async Task<(JsonDocument? Document, IResult? Error)> ReadObjectAsync(HttpRequest request)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, ApiResults.Error(StatusCodes.Status415UnsupportedMediaType));
        }
        using var buffer = new MemoryStream();
        // The body size is capped by Kestrel (Api:MaxBodyBytes); past it the read fails with 413.
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        // A copy the document can keep: it reads its strings from these bytes for as long as it lives.
        ReadOnlyMemory<byte> bytes = buffer.ToArray();
        // JsonDocument checks the structure but decodes strings only when they are read, where
        // invalid UTF-8 would throw: refuse it here, as a malformed body.
        if (!Utf8.IsValid(bytes.Span))
        {
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, "The body is not valid UTF-8."));
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, Options);
        }
        catch (JsonException e)
        {
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {e.Message.Split(" Path:")[0]}"));
        }
        catch (InvalidOperationException)
        {
            // The duplicate-name check decodes names while parsing; a name like "\ud800" throws there.
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, UnreadableString));
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, "The body must be a JSON object."));
        }
        if (!HasOnlyReadableStrings(document.RootElement))
        {
            document.Dispose();
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, UnreadableString));
        }
        return (document, null);
    }

    /// <summary>
    /// JSON allows escapes like <c>"\ud800"</c> that no .NET string can hold; reading one throws.
    /// Every name and string is read once here so that the field checks never meet one.
    /// </summary>
    public static bool HasOnlyReadableStrings(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!HasOnlyReadableStrings(property.Value))
                        {
                            return false;
                        }
                    }
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!HasOnlyReadableStrings(item))
                        {
                            return false;
                        }
                    }
                    return true;
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary><c>application/json</c> or a <c>+json</c> type, with any parameters (charset).</summary>
    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));
}
