using System.Text.Json;

namespace Switchboard.Storage;

/// <summary>JSON columns (callback config, tags, filter values, schedule rules) as text and back.</summary>
internal static class StoredJson
{
    public static JsonElement Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static string Text(JsonElement element) => element.GetRawText();
}
