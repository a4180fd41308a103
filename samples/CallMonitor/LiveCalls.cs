using Switchboard.Events;

namespace CallMonitor;

/// <summary>
/// Keeps the calls in progress, rebuilt from call events by the library's <see cref="CallTracker"/>,
/// and logs each call's outcome once it has ended.
/// </summary>
public sealed partial class LiveCalls(ILogger<LiveCalls> logger)
{
    private const int EndedCallsKept = 10_000;

    private readonly Lock _gate = new();
    private readonly CallTracker _tracker = new();

    // Calls already logged, so that a late event of one does not bring it back as a live call.
    private readonly HashSet<string> _ended = [];
    private readonly Queue<string> _endedOrder = new();

    public IEnumerable<object> InProgress => _tracker.Calls.Select(call => new
    {
        call.Uuid,
        Direction = call.Direction == Direction.Inbound ? "inbound" : "outbound",
        From = Describe(call.Legs[0].From),
        To = Describe(call.Legs[0].To),
        State = call.IsCompleted ? "ended" : call.AnsweredAtNs is null ? "ringing" : "talking",
        AnsweredBy = call.AnsweredBy is { } leg ? Describe(leg.To) : null,
    });

    public void Track(Event e)
    {
        var callUuid = ((CallData)e.Data).Uuid;
        lock (_gate)
        {
            // Track is false for an event already seen: the hub delivers at least once.
            if (_ended.Contains(callUuid) || !_tracker.Track(e))
            {
                return;
            }
            var call = _tracker.Get(callUuid)!;
            // Events arrive in any order: the first leg may end before the news of its other legs arrives.
            if (!call.IsCompleted || call.Legs.Any(l => l.State != LegState.Completed))
            {
                return;
            }
            LogCallEnded(logger, call.Uuid, Describe(call.Legs[0].From), Describe(call.Legs[0].To), Outcome(call),
                Seconds(call.EndedAtNs - call.StartedAtNs), Seconds(call.EndedAtNs - call.AnsweredAtNs));
            _tracker.Forget(callUuid);
            _ended.Add(callUuid);
            _endedOrder.Enqueue(callUuid);
            if (_endedOrder.Count > EndedCallsKept)
            {
                _ended.Remove(_endedOrder.Dequeue());
            }
        }
    }

    public void LogMessage(MessageData message) =>
        LogMessageEvent(logger, message.Type == MessageType.Sms ? "SMS" : "MMS", message.From.Id.ToString(), Describe(message.To[0]), message.Message);

    private static string Outcome(TrackedCall call) => call.Status switch
    {
        CompletionStatus.Success when call.AnsweredBy is { } leg => "answered by " + Describe(leg.To),
        CompletionStatus.Success => "answered",
        CompletionStatus.Cancelled => call.Direction == Direction.Inbound ? "missed" : "not answered",
        CompletionStatus.Busy => "busy",
        CompletionStatus.Failed => "failed",
        _ => "ended",
    };

    private static string Describe(Participant participant) => participant.Type switch
    {
        ParticipantType.Did => participant.Id.ToString(),
        ParticipantType.Device => $"device {participant.Id} (ext {participant.Extension})",
        _ => $"ext {participant.Extension}",
    };

    private static double Seconds(long? nanoseconds) => Math.Round((nanoseconds ?? 0) / 1e9, 1);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallUuid} from {From} to {To}: {Outcome}, {Seconds} s in all, {TalkSeconds} s talking")]
    private static partial void LogCallEnded(ILogger logger, string callUuid, string from, string to, string outcome, double seconds, double talkSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Type} from {From} to {To}: {Text}")]
    private static partial void LogMessageEvent(ILogger logger, string type, string from, string to, string text);
}
