using System.Text.Json;
using Switchboard.Api;

namespace Switchboard.Dashboard;

/// <summary>A listener as the dashboard shows it: what it listens to, where it delivers, and how that goes.</summary>
internal sealed record ListenerCard(OverviewItem Item, ListenerHealth Health)
{
    /// <summary>Where events go, in the words of the callback's mode: a URL, an address, an application.</summary>
    public string Target => Item.Callback is not { } callback ? "(callback missing)"
        : Text(callback.Config, "url") ?? Text(callback.Config, "email") ?? Text(callback.Config, "application") ?? callback.Mode;

    public string Title => Item.Callback?.Name is { Length: > 0 } name ? name : Target;

    public static string? Text(JsonElement config, string name) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A filter in one line: <c>number match +1555%</c>, <c>not schedule 7</c>.</summary>
    public static string Describe(Storage.ListenerFilter filter)
    {
        var value = filter.FilterValue.ValueKind == JsonValueKind.Object
            ? string.Join(", ", filter.FilterValue.EnumerateObject().Select(p => $"{p.Name} {(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}"))
            : filter.FilterValue.GetRawText();
        return $"{(filter.NotLogic ? "not " : "")}{filter.FilterType} {value}";
    }
}
