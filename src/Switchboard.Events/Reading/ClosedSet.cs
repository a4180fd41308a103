using System.Text;
using System.Text.Json;

namespace Switchboard.Events;

/// <summary>
/// A closed set of string values of events.md, in the order of its enum, matched against the
/// reader's UTF-8 without decoding the string.
/// </summary>
internal sealed class ClosedSet
{
    public static readonly ClosedSet DataType = new("call", "message", "call-log", "recording", "api-error", "listener-callback");
    public static readonly ClosedSet ContextType = new("account", "extension");
    public static readonly ClosedSet Direction = new("inbound", "outbound");
    public static readonly ClosedSet LegState = new("new", "connecting", "connected", "completed");
    public static readonly ClosedSet CompletionStatus = new("success", "cancelled", "busy", "failed");
    public static readonly ClosedSet ParticipantType = new("did", "device", "extension");
    /// <summary>Message parties are phone numbers only (events.md, message).</summary>
    public static readonly ClosedSet DidOnly = new("did");
    public static readonly ClosedSet MessageType = new("sms", "mms");
    public static readonly ClosedSet RecordingType = new("call", "voicemail");
    public static readonly ClosedSet Version = new(Event.CurrentVersion);

    private readonly byte[][] _utf8;

    private ClosedSet(params string[] names)
    {
        Names = names;
        _utf8 = names.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    public string[] Names { get; }

    /// <summary>The position in the set of the reader's current string, or -1.</summary>
    public int Find(ref Utf8JsonReader reader)
    {
        try
        {
            for (var i = 0; i < _utf8.Length; i++)
            {
                if (reader.ValueTextEquals(_utf8[i]))
                {
                    return i;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate cannot be unescaped to compare; it is in no set.
        }
        return -1;
    }
}
