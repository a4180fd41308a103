using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchboard.Events;

namespace Switchboard.Api;

/// <summary>
/// What an api-error activity tells of one failed request on an account's base (api.md, Errors;
/// events.md, <c>data_type = "api-error"</c>), taken when the answer is done. Besides the fields
/// of events.md the request carries its <c>headers</c> and the first bytes of its <c>body</c>, with
/// credentials masked as the API masks them in callbacks (<c>true</c>): the values of credential
/// headers and of any <c>…secret…</c> field never reach an activity.
/// </summary>
internal sealed partial record ApiErrorReport(
    long VoipId, string Method, string Url, KeyValuePair<string, string>[] Headers, byte[] Body, bool BodyTruncated, long BodySize,
    int Status, byte[] Payload)
{
    private static readonly JsonSerializerOptions NodeOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The <c>data</c> object as compact UTF-8 JSON.</summary>
    public byte[] DataJson()
    {
        var buffer = new ArrayBufferWriter<byte>(512 + Body.Length + Payload.Length);
        using (var json = new Utf8JsonWriter(buffer, EventJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("error", Message());
            json.WriteStartObject("request");
            json.WriteString("method", Method);
            json.WriteString("url", Url);
            json.WriteNumber("body_size", BodySize);
            json.WriteStartObject("headers");
            foreach (var (name, value) in Headers)
            {
                if (CallbackMasking.SecretHeaders.Contains(name))
                {
                    json.WriteBoolean(name, true);
                }
                else
                {
                    json.WriteString(name, value);
                }
            }
            json.WriteEndObject();
            if (Body.Length > 0)
            {
                json.WriteString("body", MaskedBody());
                if (BodyTruncated)
                {
                    json.WriteBoolean("body_truncated", true);
                }
            }
            json.WriteEndObject();
            json.WriteStartObject("response");
            json.WriteNumber("status", Status);
            json.WriteString("payload", Encoding.UTF8.GetString(Payload));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <c>@message</c> of the answer, or the status's usual message when the body has none.</summary>
    private string Message()
    {
        try
        {
            using var document = JsonDocument.Parse(Payload);
            if (document.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("@error", out var error)
                && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("@message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!;
            }
        }
        catch (JsonException)
        {
        }
        return ApiError.DefaultMessage(Status);
    }

    /// <summary>
    /// The body as text with secrets replaced by <c>true</c>: through the parsed JSON when it is
    /// whole and valid, else (cut at the cap, or malformed, which is often why it failed) by pattern.
    /// </summary>
    private string MaskedBody()
    {
        var decoder = Encoding.UTF8.GetDecoder();
        // A cut body may end inside a character: leave that character out rather than garble it.
        var chars = new char[decoder.GetCharCount(Body, flush: !BodyTruncated)];
        var text = new string(chars, 0, decoder.GetChars(Body, chars, flush: !BodyTruncated));
        if (!BodyTruncated)
        {
            try
            {
                if (JsonNode.Parse(text) is { } node)
                {
                    MaskNode(node);
                    return node.ToJsonString(NodeOptions);
                }
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
            {
                // Not JSON, duplicate names, unreadable strings: fall through to the patterns.
            }
        }
        text = SecretField().Replace(text, "$1true");
        text = CredentialHeaderValueAfterName().Replace(text, "$1true");
        return CredentialHeaderValueBeforeName().Replace(text, "$1true");
    }

    private static void MaskNode(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is null)
                    {
                        continue;
                    }
                    if (name.Contains("secret", StringComparison.OrdinalIgnoreCase))
                    {
                        obj[name] = true;
                    }
                    else if (name == "headers" && value is JsonArray headers)
                    {
                        foreach (var header in headers)
                        {
                            if (header is JsonObject h && h["name"] is JsonValue headerName && headerName.TryGetValue<string>(out var n)
                                && CallbackMasking.SecretHeaders.Contains(n) && h.ContainsKey("value"))
                            {
                                h["value"] = true;
                            }
                        }
                        MaskNode(value);
                    }
                    else
                    {
                        MaskNode(value);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        MaskNode(item);
                    }
                }
                break;
        }
    }

    // The patterns take a string value up to its closing quote or the end of the text (a cut
    // body), or any other bare value; the header names are those of CallbackMasking.SecretHeaders.
    private const string Value = """("(?:[^"\\]|\\.)*"?|[^\s,}\]]+)""";
    private const string CredentialHeader = "\"(?:authorization|proxy-authorization|x-api-key|cookie)\"";

    [GeneratedRegex("""("[^"\\]*secret[^"\\]*"\s*:\s*)(?!null\b)""" + Value, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretField();

    [GeneratedRegex("""("name"\s*:\s*""" + CredentialHeader + """\s*,\s*"value"\s*:\s*)""" + Value, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialHeaderValueAfterName();

    [GeneratedRegex("""("value"\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,}\]]+)(?=\s*,\s*"name"\s*:\s*""" + CredentialHeader + ")", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialHeaderValueBeforeName();
}
