using Switchboard.Events;

namespace Switchboard.Simulate;

/// <summary>
/// A call in progress: its first leg and the legs to devices it adds, and the <c>call</c>
/// activity of a leg changing state, shaped as the fixtures of an inbound call to a device
/// (tests/fixtures/events/inbound-call-to-device): inside <c>first_leg</c> of another leg's event
/// the state is null, and <c>first_leg</c> is null on the first leg's own events (events.md).
/// </summary>
internal sealed class SimulatedCall
{
    private readonly List<Leg> _legs = [];
    private readonly Direction _direction;

    public SimulatedCall(string uuid, Direction direction, Participant from, Participant to)
    {
        Uuid = uuid;
        _direction = direction;
        _legs.Add(new Leg { Uuid = uuid, From = from, To = to, IsFirst = true });
    }

    public string Uuid { get; }

    /// <summary>Leg 1, between the outside party and the platform.</summary>
    public int First => 1;

    /// <summary>Adds a leg from the platform to a device; its number, counting the first leg as 1.</summary>
    public int AddLeg(string uuid, Participant to)
    {
        _legs.Add(new Leg { Uuid = uuid, From = _legs[0].From, To = to, IsFirst = false });
        return _legs.Count;
    }

    /// <summary>The activity of leg <paramref name="number"/> reaching <paramref name="state"/>.</summary>
    public SimulatedActivity Update(int number, LegState state, CompletionStatus? status = null, string? note = null)
    {
        var leg = _legs[number - 1];
        var data = new CallData
        {
            Uuid = Uuid,
            Direction = _direction,
            EventLeg = leg with { State = state, CompletionStatus = status },
            FirstLeg = leg.IsFirst ? null : _legs[0],
        };
        string Words()
        {
            var outcome = status is { } s ? $" ({s.ToString().ToLowerInvariant()})" : "";
            return SimulatedActivity.Say($"leg {number} {state.ToString().ToLowerInvariant()}{outcome}", $"{Cast.Who(leg.From)} → {Cast.Who(leg.To)}{(note is null ? "" : "  " + note)}");
        }
        return new SimulatedActivity(data, Words);
    }

    /// <summary>The step that moves leg <paramref name="number"/> to <paramref name="state"/>.</summary>
    public Func<SimulatedActivity> Step(int number, LegState state, CompletionStatus? status = null, string? note = null) =>
        () => Update(number, state, status, note);
}
