namespace Switchboard.Events.Tests;

public class CallTrackerTests
{
    private const string CallUuid = "11111111-1111-1111-1111-111111111111";
    private static readonly IReadOnlyList<Event> CallEvents = Fixtures.CallFixtures.Select(Fixtures.Read).ToList();

    /// <summary>Every fact of a tracked call as one string, so two states compare by value.</summary>
    private static string Describe(TrackedCall call) =>
        $"{call.Uuid} {call.Direction} status={call.Status} answeredBy={call.AnsweredBy?.Uuid} " +
        $"start={call.StartedAtNs} answer={call.AnsweredAtNs} end={call.EndedAtNs} completed={call.IsCompleted} | " +
        string.Join(" | ", call.Legs.Select(l => $"{l.Uuid} first={l.IsFirst} {l.From.Id}->{l.To.Id} {l.State} {l.CompletionStatus} at={l.UpdatedAtNs}"));

    private static TrackedCall TrackAll(IEnumerable<Event> events)
    {
        var tracker = new CallTracker();
        foreach (var e in events)
        {
            tracker.Track(e);
        }
        return tracker.Get(CallUuid)!;
    }

    [Fact]
    public void The_eight_fixtures_in_order_give_an_answered_completed_call()
    {
        var call = TrackAll(CallEvents);

        Assert.True(call.IsCompleted);
        Assert.Equal(Direction.Inbound, call.Direction);
        Assert.Equal(CompletionStatus.Success, call.Status);
        Assert.Equal("22222222-2222-2222-2222-222222222222", call.AnsweredBy?.Uuid);
        Assert.Equal(1593096562611014000, call.StartedAtNs);
        Assert.Equal(1593096569591026000, call.AnsweredAtNs);
        Assert.Equal(1593096576590982000, call.EndedAtNs);
        Assert.Equal(2, call.Legs.Count);
        Assert.True(call.Legs[0].IsFirst);
        Assert.Equal(LegState.Completed, call.Legs[0].State);
        Assert.Equal(LegState.Completed, call.Legs[1].State);
        Assert.Equal(CompletionStatus.Success, call.Legs[1].CompletionStatus);
        Assert.Equal(555555, call.Legs[1].To.Id.Number);
    }

    [Fact]
    public void Every_order_of_the_eight_fixtures_with_random_duplicates_gives_the_same_state()
    {
        var expected = Describe(TrackAll(CallEvents));
        var random = new Random(20261125);
        var order = Enumerable.Range(0, CallEvents.Count).ToArray();
        var orders = 0;

        foreach (var permutation in Permutations(order))
        {
            var tracker = new CallTracker();
            foreach (var i in permutation)
            {
                Assert.True(tracker.Track(CallEvents[i]));
                if (random.Next(4) == 0)
                {
                    // A duplicate of some event already seen: ignored.
                    Assert.False(tracker.Track(CallEvents[permutation[random.Next(Array.IndexOf(permutation, i) + 1)]]));
                }
            }
            Assert.Equal(expected, Describe(tracker.Get(CallUuid)!));
            orders++;
        }

        Assert.Equal(40_320, orders);
    }

    /// <summary>Heap's algorithm: every permutation of the array, each yielded in place.</summary>
    private static IEnumerable<int[]> Permutations(int[] items)
    {
        var c = new int[items.Length];
        yield return items;
        var i = 0;
        while (i < items.Length)
        {
            if (c[i] < i)
            {
                var j = i % 2 == 0 ? 0 : c[i];
                (items[j], items[i]) = (items[i], items[j]);
                yield return items;
                c[i]++;
                i = 0;
            }
            else
            {
                c[i] = 0;
                i++;
            }
        }
    }

    [Fact]
    public void A_late_connecting_does_not_move_a_completed_leg_back()
    {
        var call = TrackAll([CallEvents[6], CallEvents[3]]); // 7: 2nd leg completed, then 4: 2nd leg connecting

        var leg = call.Legs.Single(l => !l.IsFirst);
        Assert.Equal(LegState.Completed, leg.State);
        Assert.Equal(CompletionStatus.Success, leg.CompletionStatus);
    }

    [Fact]
    public void Duplicates_and_non_call_events_are_ignored()
    {
        var tracker = new CallTracker();

        Assert.True(tracker.Track(CallEvents[0]));
        Assert.False(tracker.Track(CallEvents[0]));
        Assert.False(tracker.Track(Fixtures.Read("message.json")));
        Assert.False(tracker.Track(Fixtures.Read("call-log.json")));
        Assert.Single(tracker.Calls);
    }

    [Fact]
    public void An_unfinished_call_is_not_completed_and_knows_its_first_leg_from_another_legs_event()
    {
        var call = TrackAll([CallEvents[2]]); // only the 2nd leg's new

        Assert.False(call.IsCompleted);
        Assert.Null(call.Status);
        Assert.Null(call.AnsweredBy);
        var first = call.Legs.Single(l => l.IsFirst);
        Assert.Null(first.State);
        Assert.Equal("+15550000002", first.To.Id.Text);
    }

    [Fact]
    public void Ring_group_call_is_answered_by_the_leg_that_connected()
    {
        // events.md example: leg 2 rings without answer, leg 3 answers.
        Event Leg(int n, string legUuid, int seconds, LegState state, CompletionStatus? status, bool first = false)
        {
            var template = first ? CallEvents[0] : CallEvents[2];
            var data = (CallData)template.Data;
            return template with
            {
                Uuid = $"ring-{n}",
                TimestampNs = 1593096562000000000 + (seconds * 1_000_000_000L),
                Data = data with { EventLeg = data.EventLeg with { Uuid = legUuid, State = state, CompletionStatus = status } },
            };
        }
        const string Leg2 = "22222222-2222-2222-2222-222222222222", Leg3 = "33333333-3333-3333-3333-333333333333";
        Event[] events =
        [
            Leg(1, CallUuid, 0, LegState.New, null, first: true), Leg(2, CallUuid, 0, LegState.Connecting, null, first: true),
            Leg(3, Leg2, 1, LegState.New, null), Leg(4, Leg2, 1, LegState.Connecting, null), Leg(5, Leg2, 21, LegState.Completed, CompletionStatus.Cancelled),
            Leg(6, Leg3, 21, LegState.New, null), Leg(7, Leg3, 22, LegState.Connecting, null), Leg(8, Leg3, 25, LegState.Connected, null),
            Leg(9, CallUuid, 25, LegState.Connected, null, first: true), Leg(10, Leg3, 60, LegState.Completed, CompletionStatus.Success),
            Leg(11, CallUuid, 60, LegState.Completed, CompletionStatus.Success, first: true),
        ];

        var call = TrackAll(events.Reverse());

        Assert.Equal(Leg3, call.AnsweredBy?.Uuid);
        Assert.Equal(3, call.Legs.Count);
        Assert.Equal(CompletionStatus.Cancelled, call.Legs.Single(l => l.Uuid == Leg2).CompletionStatus);
        Assert.Equal(CompletionStatus.Success, call.Status);
        Assert.Equal(1593096587000000000, call.AnsweredAtNs);
    }
}
