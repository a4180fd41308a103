namespace Switchboard.Events;

/// <summary>
/// Derives an event's tags from its data by the fixed rules of tags.md, in the order given there.
/// </summary>
public static class EventTagger
{
    /// <summary>The tags of an event, derived from its data (not copied from its <c>tags</c>).</summary>
    public static string[] Tag(Event value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Tag(value.Data);
    }

    /// <summary>The tags of a bare data object, as an activity carries it.</summary>
    public static string[] Tag(EventData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data switch
        {
            CallData call => TagCall(call),
            MessageData message => TagMessage(message),
            CallLogData => [Tags.CallLog],
            RecordingData recording => recording.Type switch
            {
                RecordingType.Call => [Tags.Recording, Tags.CallRecording],
                RecordingType.Voicemail => [Tags.Recording, Tags.VoicemailRecording],
                _ => [Tags.Recording],
            },
            // tags.md: unauthorized requests are untrusted.
            ApiErrorData apiError => apiError.Response.Status == 401 ? [Tags.ApiError] : [Tags.ApiError, Tags.ApiErrorTrusted],
            ListenerCallbackData => [Tags.DeactivatedListenerCallback],
            _ => throw new ArgumentException($"Unknown data object {data.GetType().Name}.", nameof(data)),
        };
    }

    private static string[] TagCall(CallData call)
    {
        var leg = call.EventLeg;
        var state = leg.State switch
        {
            LegState.New => Tags.NewCall,
            LegState.Connecting => Tags.ConnectingCall,
            LegState.Connected => Tags.ConnectedCall,
            LegState.Completed => Tags.CompletedCall,
            _ => null,
        };
        var tags = new string[state is null ? 5 : 6];
        var i = 0;
        tags[i++] = Tags.Call;
        if (state is not null)
        {
            tags[i++] = state;
        }
        tags[i++] = leg.IsFirst ? Tags.FirstLeg : Tags.NotFirstLeg;
        tags[i++] = call.Direction == Direction.Inbound ? Tags.Inbound : Tags.Outbound;
        tags[i++] = leg.From.Type == ParticipantType.Did ? Tags.FromDid : Tags.FromExtension;
        tags[i] = leg.To.Type == ParticipantType.Did ? Tags.ToDid : Tags.ToExtension;
        return tags;
    }

    private static string[] TagMessage(MessageData message)
    {
        var state = message.State switch
        {
            "received" => Tags.ReceivedMessage,
            "sent" => Tags.SentMessage,
            "delivered" => Tags.DeliveredMessage,
            _ => null, // tags.md: no tag for other states
        };
        var tags = new string[state is null ? 4 : 5];
        var i = 0;
        tags[i++] = Tags.Message;
        tags[i++] = Tags.AnyMsMessage;
        tags[i++] = message.Type == MessageType.Sms ? Tags.SmsMessage : Tags.MmsMessage;
        if (state is not null)
        {
            tags[i++] = state;
        }
        tags[i] = message.Direction == Direction.Inbound ? Tags.Inbound : Tags.Outbound;
        return tags;
    }
}
