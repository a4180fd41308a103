using System.Text;
using System.Text.Json;

namespace Switchboard.Events;

/// <summary>Every field name of the Events v2 objects (events.md), as the reader tells them apart.</summary>
internal enum FieldName
{
    Unknown,
    Uuid, Version, ListenerId, Context, Timestamp, TimestampNs, Tags, DataType, DataObjectUuid, Data,
    Type, Id, VoipId,
    Direction, EventLeg, FirstLeg, From, To, IsFirst, State, CompletionStatus,
    Line, Domain, ExtensionId, Extension,
    Inbox, Did, Message, Media, Url, Size, Filename, Thumbnail,
    Duration, Error, Request, Response, Method, BodySize, Status, Payload, CallbackId, Reason,
}

/// <summary>Finds the <see cref="FieldName"/> of a field's UTF-8 name.</summary>
internal static class FieldNames
{
    // Spelled by the naming policy of EventsJsonContext, so they cannot drift from what is written.
    private static readonly string[] Texts = Enum.GetNames<FieldName>().Select(JsonNamingPolicy.SnakeCaseLower.ConvertName).ToArray();

    private static readonly byte[][] Utf8 = Texts.Select(Encoding.UTF8.GetBytes).ToArray();

    /// <summary>The names grouped by their length, so telling one apart takes a compare or two.</summary>
    private static readonly FieldName[][] ByLength = Enumerable.Range(0, Utf8.Max(name => name.Length) + 1)
        .Select(length => Enum.GetValues<FieldName>().Where(n => n != FieldName.Unknown && Utf8[(int)n].Length == length).ToArray())
        .ToArray();

    /// <summary>The longest a known name can be when every byte of it is escaped (<c>\u0075</c>).</summary>
    public static int LongestEscaped { get; } = 6 * (ByLength.Length - 1);

    /// <summary>The name as it is written in JSON.</summary>
    public static string Text(FieldName name) => Texts[(int)name];

    public static FieldName Find(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length < ByLength.Length)
        {
            foreach (var name in ByLength[utf8.Length])
            {
                if (utf8.SequenceEqual(Utf8[(int)name]))
                {
                    return name;
                }
            }
        }
        return FieldName.Unknown;
    }
}
