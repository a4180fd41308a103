using Switchboard.Events;

namespace Switchboard.Matching;

/// <summary>What delivery.md reads from an activity's data: the extensions it concerns and its phone numbers.</summary>
internal static class ActivityFacts
{
    /// <summary>
    /// delivery.md, step 1: the extensions named by the producer, by a call leg participant, or by
    /// a message's inbox. api-error concerns none.
    /// </summary>
    public static void ConcernedExtensions(EventData data, IReadOnlyList<long> named, List<long> into)
    {
        into.AddRange(named);
        switch (data)
        {
            case CallData call:
                Add(call.EventLeg.From, into);
                Add(call.EventLeg.To, into);
                if (call.FirstLeg is { } first)
                {
                    Add(first.From, into);
                    Add(first.To, into);
                }
                break;
            case MessageData { Inbox.ExtensionId: { } inbox }:
                into.Add(inbox);
                break;
        }
    }

    /// <summary>delivery.md, number filters: the ids of every <c>did</c> participant, and a message's inbox DID.</summary>
    public static List<string> Numbers(EventData data)
    {
        var numbers = new List<string>(4);
        switch (data)
        {
            case CallData call:
                AddDid(call.EventLeg.From, numbers);
                AddDid(call.EventLeg.To, numbers);
                if (call.FirstLeg is { } first)
                {
                    AddDid(first.From, numbers);
                    AddDid(first.To, numbers);
                }
                break;
            case MessageData message:
                AddDid(message.From, numbers);
                foreach (var to in message.To)
                {
                    AddDid(to, numbers);
                }
                numbers.Add(message.Inbox.Did);
                break;
        }
        return numbers;
    }

    private static void Add(Participant participant, List<long> into)
    {
        if (participant.ExtensionId is { } extension && !into.Contains(extension))
        {
            into.Add(extension);
        }
    }

    private static void AddDid(Participant participant, List<string> into)
    {
        if (participant.Type == ParticipantType.Did)
        {
            into.Add(participant.Id.ToString());
        }
    }
}
