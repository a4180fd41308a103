using System.Text.Json;

namespace Switchboard.Events;

/// <summary>
/// The rules of events.md, checked on parsed JSON before anything is mapped to the model, so
/// that every broken rule is reported with its path and the model only ever sees valid input.
/// </summary>
internal static class EventValidator
{
    internal static readonly string[] DataTypeNames = ["call", "message", "call-log", "recording", "api-error", "listener-callback"];
    private static readonly string[] ContextTypeNames = ["account", "extension"];
    private static readonly string[] DirectionNames = ["inbound", "outbound"];
    private static readonly string[] LegStateNames = ["new", "connecting", "connected", "completed"];
    private static readonly string[] CompletionStatusNames = ["success", "cancelled", "busy", "failed"];
    private static readonly string[] ParticipantTypeNames = ["did", "device", "extension"];
    private static readonly string[] MessageTypeNames = ["sms", "mms"];
    private static readonly string[] RecordingTypeNames = ["call", "voicemail"];

    public static void ValidateEvent(JsonElement root, JsonRules rules)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            rules.Add("$", $"must be an object, not {JsonRules.Describe(root.ValueKind)}");
            return;
        }
        const string p = "";
        rules.String(root, p, "uuid");
        if (rules.String(root, p, "version", nonEmpty: true, nullable: false, out var version)
            && !version.ValueEquals(Event.CurrentVersion))
        {
            rules.Add("version", $"{JsonRules.Quote(version)} is not a supported version ({Event.CurrentVersion})");
        }
        rules.Integer(root, p, "listener_id", min: 0);
        if (rules.Object(root, p, "context", nullable: false, out var context))
        {
            ValidateContext(context, rules);
        }
        var hasSeconds = rules.Integer(root, p, "timestamp", out var seconds, min: 0);
        var hasNanos = rules.Integer(root, p, "timestamp_ns", out var nanos, min: 0);
        if (hasSeconds && hasNanos && seconds != nanos / 1_000_000_000)
        {
            rules.Add("timestamp", $"must equal timestamp_ns / 1000000000 ({nanos / 1_000_000_000}), not {seconds}");
        }
        if (rules.Array(root, p, "tags", out var tags))
        {
            var i = 0;
            foreach (var tag in tags.EnumerateArray())
            {
                if (tag.ValueKind != JsonValueKind.String)
                {
                    rules.Add($"tags[{i}]", $"must be a string, not {JsonRules.Describe(tag.ValueKind)}");
                }
                else if (FindTag(tag) is null)
                {
                    rules.Add($"tags[{i}]", $"{JsonRules.Quote(tag)} is not a known tag");
                }
                i++;
            }
        }
        var dataType = rules.OneOf(root, p, "data_type", DataTypeNames);
        rules.String(root, p, "data_object_uuid");
        if (rules.Object(root, p, "data", nullable: false, out var data) && dataType >= 0)
        {
            ValidateData((DataType)dataType, data, "data", rules);
        }
    }

    /// <summary>The tag-list constant equal to a string value, or null when it is not a known tag.</summary>
    internal static string? FindTag(JsonElement tag) =>
        JsonRules.TryGetUtf8(tag, out var utf8) ? Tags.Find(utf8) : Tags.IsKnown(tag.GetString()!) ? Tags.Intern(tag.GetString()!) : null;

    private static void ValidateContext(JsonElement context, JsonRules rules)
    {
        const string p = "context";
        var type = rules.OneOf(context, p, "type", ContextTypeNames);
        var hasId = rules.Integer(context, p, "id", out var id, min: 0);
        var hasVoipId = rules.Integer(context, p, "voip_id", out var voipId, min: 0);
        if (type == (int)ContextType.Account && hasId && hasVoipId && id != voipId)
        {
            rules.Add("context.id", $"must equal context.voip_id ({voipId}) for an account context, not {id}");
        }
    }

    public static void ValidateData(DataType type, JsonElement data, string path, JsonRules rules)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            rules.Add(path, $"must be an object, not {JsonRules.Describe(data.ValueKind)}");
            return;
        }
        switch (type)
        {
            case DataType.Call: ValidateCall(data, path, rules); break;
            case DataType.Message: ValidateMessage(data, path, rules); break;
            case DataType.CallLog: rules.String(data, path, "uuid"); break;
            case DataType.Recording:
                rules.String(data, path, "uuid");
                rules.OneOf(data, path, "type", RecordingTypeNames);
                rules.Integer(data, path, "size", min: 0);
                rules.Integer(data, path, "duration", min: 0);
                break;
            case DataType.ApiError: ValidateApiError(data, path, rules); break;
            case DataType.ListenerCallback:
                rules.Integer(data, path, "listener_id", min: 0);
                rules.Integer(data, path, "callback_id", min: 0);
                rules.String(data, path, "reason");
                break;
        }
    }

    private static void ValidateCall(JsonElement data, string path, JsonRules rules)
    {
        rules.String(data, path, "uuid");
        rules.OneOf(data, path, "direction", DirectionNames);
        var eventLegIsFirst = false;
        if (rules.Object(data, path, "event_leg", nullable: false, out var eventLeg))
        {
            eventLegIsFirst = ValidateLeg(eventLeg, JsonRules.Join(path, "event_leg"), isEventLeg: true, rules);
        }
        if (!rules.Object(data, path, "first_leg", nullable: true, out var firstLeg))
        {
            return;
        }
        var firstPath = JsonRules.Join(path, "first_leg");
        if (eventLegIsFirst)
        {
            rules.Add(firstPath, "must be null when event_leg is the first leg");
        }
        else
        {
            var saysFirst = ValidateLeg(firstLeg, firstPath, isEventLeg: false, rules);
            if (!saysFirst && firstLeg.TryGetProperty("is_first", out var isFirst) && isFirst.ValueKind == JsonValueKind.False)
            {
                rules.Add(JsonRules.Join(firstPath, "is_first"), "must be true for the first leg");
            }
        }
    }

    /// <summary>Checks a leg; answers whether it says it is the first leg.</summary>
    private static bool ValidateLeg(JsonElement leg, string path, bool isEventLeg, JsonRules rules)
    {
        rules.String(leg, path, "uuid");
        if (rules.Object(leg, path, "from", nullable: false, out var from))
        {
            ValidateParticipant(from, JsonRules.Join(path, "from"), rules);
        }
        if (rules.Object(leg, path, "to", nullable: false, out var to))
        {
            ValidateParticipant(to, JsonRules.Join(path, "to"), rules);
        }
        rules.Boolean(leg, path, "is_first");
        // The event leg is what the event reports, so it must say its state;
        // first_leg only identifies the main leg and carries nulls (events.md).
        var state = rules.OneOf(leg, path, "state", LegStateNames, nullable: !isEventLeg);
        var status = rules.OneOf(leg, path, "completion_status", CompletionStatusNames, nullable: true);
        if (status >= 0 && state >= 0 && state != (int)LegState.Completed)
        {
            rules.Add(JsonRules.Join(path, "completion_status"), "must be null until state is completed");
        }
        if (isEventLeg && state == (int)LegState.Completed && leg.TryGetProperty("completion_status", out var cs) && cs.ValueKind == JsonValueKind.Null)
        {
            rules.Add(JsonRules.Join(path, "completion_status"), "is required once state is completed");
        }
        return leg.TryGetProperty("is_first", out var isFirst) && isFirst.ValueKind == JsonValueKind.True;
    }

    public static void ValidateParticipant(JsonElement participant, string path, JsonRules rules, bool didOnly = false)
    {
        var type = didOnly
            ? rules.OneOf(participant, path, "type", ParticipantTypeNames.AsSpan(0, 1))
            : rules.OneOf(participant, path, "type", ParticipantTypeNames);
        switch ((ParticipantType)type)
        {
            case ParticipantType.Did:
                rules.E164(participant, path, "id");
                rules.Absent(participant, path, "for a did participant", "line", "domain", "extension_id", "extension");
                break;
            case ParticipantType.Device:
                rules.Integer(participant, path, "id", min: 0);
                rules.Integer(participant, path, "line", min: 0);
                rules.String(participant, path, "domain");
                rules.Integer(participant, path, "extension_id", min: 0);
                rules.Integer(participant, path, "extension", min: 0);
                break;
            case ParticipantType.Extension:
                rules.Integer(participant, path, "id", min: 0);
                rules.Integer(participant, path, "extension_id", min: 0);
                rules.Integer(participant, path, "extension", min: 0);
                rules.Absent(participant, path, "for an extension participant", "line", "domain");
                break;
            default:
                // Without a known type the kind of id cannot be checked; still insist it is there.
                rules.Required(participant, path, "id", out _);
                break;
        }
    }

    private static void ValidateMessage(JsonElement data, string path, JsonRules rules)
    {
        rules.String(data, path, "uuid");
        rules.OneOf(data, path, "direction", DirectionNames);
        rules.String(data, path, "state");
        if (rules.Object(data, path, "inbox", nullable: false, out var inbox))
        {
            var inboxPath = JsonRules.Join(path, "inbox");
            rules.Integer(inbox, inboxPath, "id", min: 0);
            rules.Integer(inbox, inboxPath, "extension_id", min: 0, nullable: true);
            rules.E164(inbox, inboxPath, "did");
        }
        if (rules.Object(data, path, "from", nullable: false, out var from))
        {
            ValidateParticipant(from, JsonRules.Join(path, "from"), rules, didOnly: true);
        }
        if (rules.Array(data, path, "to", out var to))
        {
            var toPath = JsonRules.Join(path, "to");
            if (to.GetArrayLength() == 0)
            {
                rules.Add(toPath, "must name at least one recipient");
            }
            var i = 0;
            foreach (var recipient in to.EnumerateArray())
            {
                var itemPath = $"{toPath}[{i++}]";
                if (recipient.ValueKind != JsonValueKind.Object)
                {
                    rules.Add(itemPath, $"must be an object, not {JsonRules.Describe(recipient.ValueKind)}");
                    continue;
                }
                ValidateParticipant(recipient, itemPath, rules, didOnly: true);
            }
        }
        var type = rules.OneOf(data, path, "type", MessageTypeNames);
        rules.String(data, path, "message", nonEmpty: false);
        if (rules.Array(data, path, "media", out var media))
        {
            var mediaPath = JsonRules.Join(path, "media");
            if (type == (int)MessageType.Sms && media.GetArrayLength() > 0)
            {
                rules.Add(mediaPath, "must be empty for an sms");
            }
            var i = 0;
            foreach (var item in media.EnumerateArray())
            {
                var itemPath = $"{mediaPath}[{i++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    rules.Add(itemPath, $"must be an object, not {JsonRules.Describe(item.ValueKind)}");
                    continue;
                }
                rules.String(item, itemPath, "url");
                rules.String(item, itemPath, "type");
                rules.Integer(item, itemPath, "size", min: 0);
                rules.String(item, itemPath, "filename", nonEmpty: false);
                rules.String(item, itemPath, "thumbnail", nullable: true);
            }
        }
    }

    private static void ValidateApiError(JsonElement data, string path, JsonRules rules)
    {
        rules.String(data, path, "error", nonEmpty: false);
        if (rules.Object(data, path, "request", nullable: false, out var request))
        {
            var requestPath = JsonRules.Join(path, "request");
            rules.String(request, requestPath, "method");
            rules.String(request, requestPath, "url");
            rules.Integer(request, requestPath, "body_size", min: 0);
        }
        if (rules.Object(data, path, "response", nullable: false, out var response))
        {
            var responsePath = JsonRules.Join(path, "response");
            rules.Integer(response, responsePath, "status", min: 100, max: 599);
            rules.String(response, responsePath, "payload", nonEmpty: false);
        }
    }
}
