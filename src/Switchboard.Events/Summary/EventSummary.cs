using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Switchboard.Events;

/// <summary>
/// One short line that says what an event is about, in the words of someone who runs a phone
/// system — for logs, consoles and <c>switchboard listen</c>:
/// <list type="bullet">
/// <item><c>call 1st leg from +15550000001 → DID +15550000002 ringing</c></item>
/// <item><c>call 2nd leg → ext 500 ended (no answer)</c></item>
/// <item><c>SMS in +15550000001 → +15550000002: "Are you open today?"</c></item>
/// <item><c>call recording ready (40 s, 1.2 MB)</c></item>
/// <item><c>API error 422 POST /v4/accounts/1000002/integrations/events/callbacks: …</c></item>
/// </list>
/// The result is never empty and never spans lines: text from the event is cut and its line
/// breaks and control characters become spaces.
/// </summary>
/// <remarks>
/// Calls: "1st leg" is the leg between the outside party and the platform; "2nd leg" is any
/// leg after it (a ring group rings several, each a "2nd leg" to its own device). Leg states
/// read <c>new</c>, <c>ringing</c> (connecting), <c>connected</c>, and <c>ended</c> with the
/// outcome as a call detail record would give it: answered, no answer, busy, failed. "DID" marks
/// the account's own number on the first leg (the callee of an inbound call, the caller ID of an
/// outbound one); other numbers are shown bare, devices and extensions as <c>ext 500</c>.
/// </remarks>
public static class EventSummary
{
    /// <summary>How much of a message's text is shown.</summary>
    public const int MessagePreviewLength = 40;

    private const int MaxTextLength = 100;
    private const int MaxRecipientsShown = 3;
    private const string Arrow = " → ";

    /// <summary>The summary of an event (of its <see cref="Event.Data"/>).</summary>
    public static string Describe(Event value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Describe(value.Data);
    }

    /// <summary>The summary of an event's data, or of an activity's before it becomes an event.</summary>
    public static string Describe(EventData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data switch
        {
            CallData call => Call(call),
            MessageData message => Message(message),
            RecordingData recording => Recording(recording),
            CallLogData callLog => CallLog(callLog),
            ApiErrorData apiError => ApiError(apiError),
            ListenerCallbackData deactivated => string.Create(CultureInfo.InvariantCulture,
                $"callback {deactivated.CallbackId} of listener {deactivated.ListenerId} deactivated: {Clean(deactivated.Reason, MaxTextLength)}"),
            _ => $"{data.DataType} event",
        };
    }

    private static string Call(CallData call)
    {
        var leg = call.EventLeg;
        var text = new StringBuilder("call ");
        if (leg.IsFirst)
        {
            text.Append("1st leg from ").Append(Party(leg.From, isDid: call.Direction == Direction.Outbound));
        }
        else
        {
            text.Append("2nd leg");
        }
        text.Append(Arrow).Append(Party(leg.To, isDid: leg.IsFirst && call.Direction == Direction.Inbound));
        return text.Append(' ').Append(State(leg)).ToString();
    }

    private static string State(Leg leg) => leg.State switch
    {
        LegState.New => "new",
        LegState.Connecting => "ringing",
        LegState.Connected => "connected",
        LegState.Completed => leg.CompletionStatus switch
        {
            CompletionStatus.Success => "ended (answered)",
            CompletionStatus.Cancelled => "ended (no answer)",
            CompletionStatus.Busy => "ended (busy)",
            CompletionStatus.Failed => "ended (failed)",
            _ => "ended",
        },
        _ => "in an unknown state",
    };

    /// <summary>A number as dialled, a device or extension by its extension number.</summary>
    private static string Party(Participant? party, bool isDid = false) => party switch
    {
        null => "?",
        { Type: ParticipantType.Did } => (isDid ? "DID " : "") + Clean(party.Id.ToString(), MaxTextLength),
        { Extension: { } extension } => "ext " + extension.ToString(CultureInfo.InvariantCulture),
        { Type: ParticipantType.Device } => "device " + Clean(party.Id.ToString(), MaxTextLength),
        _ => "extension id " + Clean(party.Id.ToString(), MaxTextLength),
    };

    private static string Message(MessageData message)
    {
        var inbound = message.Direction == Direction.Inbound;
        var text = new StringBuilder(message.Type == MessageType.Mms ? "MMS" : "SMS").Append(inbound ? " in " : " out ");
        text.Append(Party(message.From)).Append(Arrow);
        var to = message.To ?? [];
        text.AppendJoin(", ", to.Take(MaxRecipientsShown).Select(p => Party(p)));
        if (to.Count == 0)
        {
            text.Append('?');
        }
        else if (to.Count > MaxRecipientsShown)
        {
            text.Append(" +").Append(to.Count - MaxRecipientsShown).Append(" more");
        }
        // An inbound message is received by definition; any other state is news.
        if (!(inbound && message.State == "received") && !string.IsNullOrEmpty(message.State))
        {
            text.Append(' ').Append(Clean(message.State, MaxTextLength));
        }
        if (!string.IsNullOrWhiteSpace(message.Message))
        {
            text.Append(": \"").Append(Clean(message.Message, MessagePreviewLength)).Append('"');
        }
        if (message.Media is { Count: > 0 } media)
        {
            text.Append(" (").Append(media.Count).Append(media.Count == 1 ? " attachment)" : " attachments)");
        }
        return text.ToString();
    }

    private static string Recording(RecordingData recording)
    {
        var text = new StringBuilder(recording.Type == RecordingType.Voicemail ? "voicemail" : "call recording");
        if (recording.Type == RecordingType.Voicemail && ExtraParty(recording.Extra, "from") is { } from)
        {
            text.Append(" from ").Append(from);
        }
        return text.Append(" ready (").Append(Duration(recording.Duration)).Append(", ").Append(Size(recording.Size)).Append(')').ToString();
    }

    /// <summary>events.md, call-log: only <c>uuid</c> is promised; a producer may add direction, from, to and duration.</summary>
    private static string CallLog(CallLogData callLog)
    {
        var text = new StringBuilder("call log ready for call ").Append(Clean(callLog.Uuid, MaxTextLength));
        var details = new List<string>(2);
        var from = ExtraParty(callLog.Extra, "from");
        var to = ExtraParty(callLog.Extra, "to");
        if (from is not null || to is not null)
        {
            var direction = ExtraString(callLog.Extra, "direction") is { } d ? d + " " : "";
            details.Add(direction + (from ?? "?") + Arrow + (to ?? "?"));
        }
        if (callLog.Extra?.GetValueOrDefault("duration") is { ValueKind: JsonValueKind.Number } duration && duration.TryGetInt64(out var seconds))
        {
            details.Add(Duration(seconds));
        }
        if (details.Count > 0)
        {
            text.Append(" (").AppendJoin(", ", details).Append(')');
        }
        return text.ToString();
    }

    private static string ApiError(ApiErrorData apiError)
    {
        var text = new StringBuilder("API error ");
        text.Append(apiError.Response?.Status.ToString(CultureInfo.InvariantCulture) ?? "?").Append(' ');
        text.Append(Clean(apiError.Request?.Method, 10)).Append(' ').Append(Clean(apiError.Request?.Url, MaxTextLength));
        if (!string.IsNullOrWhiteSpace(apiError.Error))
        {
            text.Append(": ").Append(Clean(apiError.Error, MaxTextLength));
        }
        return text.ToString();
    }

    private static string? ExtraString(Dictionary<string, JsonElement>? extra, string name) =>
        extra?.GetValueOrDefault(name) is { ValueKind: JsonValueKind.String } value ? Clean(value.GetString(), MaxTextLength) : null;

    /// <summary>A producer's extra party field: a number as a string, or a participant object.</summary>
    private static string? ExtraParty(Dictionary<string, JsonElement>? extra, string name)
    {
        if (ExtraString(extra, name) is { } number)
        {
            return number;
        }
        if (extra?.GetValueOrDefault(name) is not { ValueKind: JsonValueKind.Object } party)
        {
            return null;
        }
        if (party.TryGetProperty("extension", out var extension) && extension.ValueKind == JsonValueKind.Number)
        {
            return "ext " + extension.GetRawText();
        }
        return party.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? Clean(id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText(), MaxTextLength)
            : null;
    }

    private static string Duration(long seconds)
    {
        var invariant = CultureInfo.InvariantCulture;
        return seconds switch
        {
            < 60 => string.Create(invariant, $"{seconds} s"),
            < 3600 when seconds % 60 == 0 => string.Create(invariant, $"{seconds / 60} min"),
            < 3600 => string.Create(invariant, $"{seconds / 60} min {seconds % 60} s"),
            _ => string.Create(invariant, $"{seconds / 3600} h {seconds % 3600 / 60} min"),
        };
    }

    /// <summary>Decimal units, as phones and file browsers show them.</summary>
    private static string Size(long bytes)
    {
        var invariant = CultureInfo.InvariantCulture;
        return bytes switch
        {
            < 1_000 => string.Create(invariant, $"{bytes} B"),
            < 1_000_000 => string.Create(invariant, $"{bytes / 1_000} KB"),
            _ => string.Create(invariant, $"{bytes / 1_000_000.0:0.0} MB"),
        };
    }

    /// <summary>Text from the event on one line: control characters become spaces, and what is cut ends in "…".</summary>
    private static string Clean(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        var text = new StringBuilder(Math.Min(value.Length, maxLength + 1));
        foreach (var c in value.AsSpan().Trim())
        {
            if (text.Length == maxLength)
            {
                // A surrogate pair is kept whole or dropped whole.
                if (char.IsHighSurrogate(text[^1]))
                {
                    text.Length--;
                }
                return text.Append('…').ToString();
            }
            // Line and paragraph separators end lines too, in terminals that honour them.
            text.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c);
        }
        return text.ToString();
    }
}
