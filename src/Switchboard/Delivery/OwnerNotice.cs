using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// The text of the e-mail that tells a callback's owner it is failing or was disabled (delivery.md,
/// Deactivation and profiles): which callback, why, its last errors with their times, and how to
/// enable it again.
/// </summary>
internal static class OwnerNotice
{
    public static string Subject(PendingNotification notice, Callback? callback) =>
        notice.Kind == NotificationKind.Deactivated
            ? $"[Switchboard] {Name(notice.CallbackId, callback)} was disabled"
            : $"[Switchboard] {Name(notice.CallbackId, callback)} is failing";

    public static string Body(PendingNotification notice, Callback? callback, string recipientWhy, IReadOnlyList<FailedAttempt> errors, string publicBase, string deactivationRule)
    {
        var text = new StringBuilder();
        var name = Name(notice.CallbackId, callback);
        var owner = callback?.ExtensionId is { } extension
            ? $"extension {extension} of account {notice.VoipId}"
            : $"account {notice.VoipId}";
        text.Append(CultureInfo.InvariantCulture, $"Switchboard could not deliver events to {name} of {owner}.\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Callback:  {notice.CallbackId}{(callback?.Name is { Length: > 0 } n ? $" \"{n}\"" : "")}{Target(callback)}\n");
        if (notice.Kind == NotificationKind.Deactivated)
        {
            text.Append(CultureInfo.InvariantCulture, $"What:      it was disabled at {Time(notice.CreatedAt)}; its listeners get no events until it is enabled again\n");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"What:      its deliveries started failing at {Time(notice.CreatedAt)}; it is still enabled and Switchboard keeps trying\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"Why:       {notice.Reason}\n\n");
        if (errors.Count > 0)
        {
            text.Append("Last errors, newest first:\n");
            foreach (var error in errors)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {Time(error.At)}  {error.Url}  {error.Error}\n");
            }
            text.Append('\n');
        }
        if (notice.Kind != NotificationKind.Deactivated)
        {
            text.Append(CultureInfo.InvariantCulture, $"It will be disabled if {deactivationRule}.\n\n");
        }
        var basePath = callback?.ExtensionId is { } ext
            ? $"/v4/accounts/{notice.VoipId}/extensions/{ext}/integrations/events"
            : $"/v4/accounts/{notice.VoipId}/integrations/events";
        text.Append(notice.Kind == NotificationKind.Deactivated
            ? "Once the receiver works again, enable the callback with PATCH enabled: true, for example:\n\n"
            : "Should it be disabled, enable it again, once the receiver works, with PATCH enabled: true, for example:\n\n");
        text.Append(CultureInfo.InvariantCulture, $"  curl -X PATCH {publicBase}{basePath}/callbacks/{notice.CallbackId} \\\n");
        text.Append("    -H \"Authorization: Bearer $TOKEN\" -H \"Content-Type: application/json\" \\\n");
        text.Append("    -d '{\"enabled\": true}'\n\n");
        text.Append(recipientWhy).Append('\n');
        return text.ToString();
    }

    private static string Name(long id, Callback? callback) =>
        callback?.Name is { Length: > 0 } name ? $"callback {id} \"{name}\"" : $"callback {id}";

    private static string Target(Callback? callback)
    {
        if (callback is null)
        {
            return " (deleted since)";
        }
        var config = callback.Config;
        var target = callback.Mode switch
        {
            CallbackMode.Email => Field(config, "email"),
            CallbackMode.Application => Field(config, "application"),
            _ => Field(config, "url"),
        };
        return $" ({callback.Mode} {target})";
    }

    private static string Field(JsonElement config, string name) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    /// <summary>ISO 8601 UTC with milliseconds, as the API writes times (api.md, Errors).</summary>
    private static string Time(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
