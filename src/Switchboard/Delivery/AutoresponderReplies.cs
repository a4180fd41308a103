using System.Text.Json;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>A reply the <c>sms-autoresponder</c> sends: from the inbox's number to the sender.</summary>
internal sealed record AutoresponderReply(string From, string To, string Text, long VoipId);

/// <summary>
/// The <c>sms-autoresponder</c>'s rate limit (delivery.md): at most one reply per
/// <c>rate-limit</c> seconds per (listener, sender number), kept in storage so a restart does not
/// reset it. A reply is claimed before it is sent, in one statement, so two events from the same
/// sender in flight at once cannot both reply; a send that fails gives its claim back.
/// </summary>
internal static class AutoresponderReplies
{
    /// <summary>The reply an event calls for, or null: only inbound messages are answered.</summary>
    public static AutoresponderReply? For(StoredActivity activity, SmsAutoresponderParameters parameters)
    {
        if (activity.DataType != "message")
        {
            return null;
        }
        using var document = JsonDocument.Parse(activity.Data);
        var data = document.RootElement;
        if (!(data.TryGetProperty("direction", out var direction) && direction.ValueEquals("inbound")))
        {
            return null;
        }
        var sender = StringAt(data, "from", "id");
        var own = StringAt(data, "inbox", "did");
        if (own is null && data.TryGetProperty("to", out var to) && to.ValueKind == JsonValueKind.Array && to.GetArrayLength() > 0
            && to[0].ValueKind == JsonValueKind.Object && to[0].TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            own = id.GetString();
        }
        return sender is null || own is null ? null : new AutoresponderReply(own, sender, parameters.Message, activity.VoipId);
    }

    /// <summary>True when no reply went to the sender from this listener in the last <paramref name="rateLimitSeconds"/>; the reply is then counted as sent at <paramref name="now"/>.</summary>
    public static async Task<bool> TryClaimAsync(HubDatabase database, long listenerId, string sender, int rateLimitSeconds, long now, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        return await AutoresponderReplyTable.TryClaimAsync(db, listenerId, sender, now, now - (rateLimitSeconds * 1000L), cancellationToken);
    }

    /// <summary>Gives a claim back after the reply could not be sent, so the retry may send it.</summary>
    public static async Task ReleaseAsync(HubDatabase database, long listenerId, string sender, long claimedAt, CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        await AutoresponderReplyTable.ReleaseAsync(db, listenerId, sender, claimedAt, cancellationToken);
    }

    private static string? StringAt(JsonElement data, string objectName, string field) =>
        data.TryGetProperty(objectName, out var obj) && obj.ValueKind == JsonValueKind.Object
        && obj.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
