using System.Text.Json;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// The values the <c>google-analytics</c> application can send per event (delivery.md,
/// <c>dynamic</c>), read from the event's data. Empty where the data does not tell.
/// </summary>
internal sealed record CallFacts(string Direction, string DirectionText, string PhoneNumber, string OtherPhoneNumber, string CallDuration)
{
    public string Value(string name) => name switch
    {
        "direction" => Direction,
        "direction_text" => DirectionText,
        "phone_number" => PhoneNumber,
        "other_phone_number" => OtherPhoneNumber,
        "call_duration" => CallDuration,
        _ => "",
    };

    public static CallFacts Of(StoredActivity activity)
    {
        using var document = JsonDocument.Parse(activity.Data);
        var data = document.RootElement;
        var directionText = Text(data, "direction");
        var inbound = directionText == "inbound";
        var outbound = directionText == "outbound";
        var direction = inbound ? "in" : outbound ? "out" : "";
        string caller, callee;
        switch (activity.DataType)
        {
            case "call":
                // The first leg is the one between the outside party and the platform (events.md).
                var leg = Property(data, "first_leg") is { ValueKind: JsonValueKind.Object } first ? first : Property(data, "event_leg") ?? default;
                caller = Number(Property(leg, "from"));
                callee = Number(Property(leg, "to"));
                break;
            case "message":
                caller = Number(Property(data, "from"));
                callee = inbound && Text(Property(data, "inbox"), "did") is { Length: > 0 } did
                    ? did
                    : Property(data, "to") is { ValueKind: JsonValueKind.Array } to && to.GetArrayLength() > 0 ? Number(to[0]) : "";
                break;
            default:
                // call-log: producers may add direction, from, to (events.md); as participants or plain numbers.
                caller = Number(Property(data, "from"));
                callee = Number(Property(data, "to"));
                break;
        }
        var duration = activity.DataType == "call-log" && Property(data, "duration") is { } d ? Scalar(d) : "";
        return new CallFacts(
            direction, directionText,
            inbound ? callee : outbound ? caller : "",
            inbound ? caller : outbound ? callee : "",
            duration);
    }

    /// <summary>A participant's number: the E.164 number of a <c>did</c>, the extension number of an extension or device.</summary>
    private static string Number(JsonElement? participant)
    {
        if (participant is not { } p)
        {
            return "";
        }
        if (p.ValueKind != JsonValueKind.Object)
        {
            return Scalar(p);
        }
        return Text(p, "type") == "did" || Property(p, "extension") is null ? Scalar(Property(p, "id") ?? default) : Scalar(Property(p, "extension")!.Value);
    }

    private static JsonElement? Property(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string Text(JsonElement? element, string name) => Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString()! : "";

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        _ => "",
    };
}
