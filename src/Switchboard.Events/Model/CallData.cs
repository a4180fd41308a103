namespace Switchboard.Events;

/// <summary><c>data_type = "call"</c>: one leg of a call changed state (events.md).</summary>
public sealed record CallData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.Call;

    /// <summary>The call.</summary>
    public required string Uuid { get; init; }

    /// <summary>Inbound or outbound.</summary>
    public required Direction Direction { get; init; }

    /// <summary>The leg this event is about.</summary>
    public required Leg EventLeg { get; init; }

    /// <summary>The first (main) leg; null when <see cref="EventLeg"/> is itself the first leg.</summary>
    public Leg? FirstLeg { get; init; }
}

/// <summary>A call leg (events.md, leg).</summary>
public sealed record Leg : JsonObjectWithExtra
{
    /// <summary>The leg; equals the call's uuid for the first leg.</summary>
    public required string Uuid { get; init; }

    /// <summary>The caller of this leg.</summary>
    public required Participant From { get; init; }

    /// <summary>The callee of this leg.</summary>
    public required Participant To { get; init; }

    /// <summary>True for the first leg.</summary>
    public required bool IsFirst { get; init; }

    /// <summary>The leg's state; null inside <c>first_leg</c> of a not-first-leg event.</summary>
    public LegState? State { get; init; }

    /// <summary>Set once <see cref="State"/> is completed.</summary>
    public CompletionStatus? CompletionStatus { get; init; }
}
