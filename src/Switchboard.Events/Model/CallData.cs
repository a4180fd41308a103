namespace Switchboard.Events;

/// <summary><c>data_type = "call"</c>: one leg of a call changed state (events.md).</summary>
public sealed record CallData : EventData
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override DataType DataType => DataType.Call;

    /// <summary>The call.</summary>
    public string Uuid { get; set; } = null!;

    /// <summary>Inbound or outbound.</summary>
    public Direction Direction { get; set; }

    /// <summary>The leg this event is about.</summary>
    public Leg EventLeg { get; set; } = null!;

    /// <summary>The first (main) leg; null when <see cref="EventLeg"/> is itself the first leg.</summary>
    public Leg? FirstLeg { get; set; }
}

/// <summary>A call leg (events.md, leg).</summary>
public sealed record Leg : JsonObjectWithExtra
{
    /// <summary>The leg; equals the call's uuid for the first leg.</summary>
    public string Uuid { get; set; } = null!;

    /// <summary>The caller of this leg.</summary>
    public Participant From { get; set; } = null!;

    /// <summary>The callee of this leg.</summary>
    public Participant To { get; set; } = null!;

    /// <summary>True for the first leg.</summary>
    public bool IsFirst { get; set; }

    /// <summary>The leg's state; null inside <c>first_leg</c> of a not-first-leg event.</summary>
    public LegState? State { get; set; }

    /// <summary>Set once <see cref="State"/> is completed.</summary>
    public CompletionStatus? CompletionStatus { get; set; }
}
