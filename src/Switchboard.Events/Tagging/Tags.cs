using System.Collections.Frozen;

namespace Switchboard.Events;

/// <summary>
/// The tags of Events v2 (tags.md, "The tag list"): the only names a subscription may use.
/// </summary>
public static class Tags
{
#pragma warning disable CS1591 // The names are the documentation.
    public const string Inbound = "inbound";
    public const string Outbound = "outbound";
    public const string Call = "call";
    public const string NewCall = "new-call";
    public const string ConnectingCall = "connecting-call";
    public const string ConnectedCall = "connected-call";
    public const string CompletedCall = "completed-call";
    public const string FirstLeg = "first-leg";
    public const string NotFirstLeg = "not-first-leg";
    public const string ToDid = "to-did";
    public const string FromDid = "from-did";
    public const string ToExtension = "to-extension";
    public const string FromExtension = "from-extension";
    public const string Message = "message";
    public const string SmsMessage = "sms-message";
    public const string MmsMessage = "mms-message";
    public const string AnyMsMessage = "*ms-message";
    public const string ReceivedMessage = "received-message";
    public const string SentMessage = "sent-message";
    public const string DeliveredMessage = "delivered-message";
    public const string CallLog = "call-log";
    public const string Recording = "recording";
    public const string CallRecording = "call-recording";
    public const string VoicemailRecording = "voicemail-recording";
    public const string ApiError = "api-error";
    public const string ApiErrorTrusted = "api-error-trusted";
    public const string DeactivatedListenerCallback = "deactivated-listener-callback";
#pragma warning restore CS1591

    /// <summary>Every valid tag, in the order of the tag list; a tag's position is its bit in <see cref="TagSet"/>.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Inbound, Outbound, Call, NewCall, ConnectingCall, ConnectedCall, CompletedCall, FirstLeg, NotFirstLeg,
        ToDid, FromDid, ToExtension, FromExtension, Message, SmsMessage, MmsMessage, AnyMsMessage,
        ReceivedMessage, SentMessage, DeliveredMessage, CallLog, Recording, CallRecording, VoicemailRecording,
        ApiError, ApiErrorTrusted, DeactivatedListenerCallback,
    ];

    private static readonly FrozenDictionary<string, int> Index =
        All.Select((tag, i) => (tag, i)).ToFrozenDictionary(p => p.tag, p => p.i, StringComparer.Ordinal);

    /// <summary>True when <paramref name="tag"/> is in the tag list (compared exactly, lower case).</summary>
    public static bool IsKnown(string tag) => Index.ContainsKey(tag);

    /// <summary>True for the tags only account-level listeners may subscribe to (tags.md).</summary>
    public static bool IsAccountOnly(string tag) => tag is ApiError or ApiErrorTrusted;

    /// <summary>The bit position of a known tag, or -1.</summary>
    public static int IndexOf(string tag) => Index.TryGetValue(tag, out var i) ? i : -1;

    /// <summary>The tag-list instance of a known tag, so events share the constants; other text as it is.</summary>
    internal static string Intern(string tag) => Index.TryGetValue(tag, out var i) ? All[i] : tag;

    /// <summary>The known tag equal to the UTF-8 text, or null.</summary>
    internal static string? Find(ReadOnlySpan<byte> utf8)
    {
        foreach (var tag in All)
        {
            // Tags are ASCII, so one byte per character.
            if (tag.Length == utf8.Length && System.Text.Ascii.Equals(utf8, tag))
            {
                return tag;
            }
        }
        return null;
    }
}
