namespace Switchboard.Events;

/// <summary>What is known of one call from the call events seen so far (a snapshot).</summary>
/// <param name="Uuid">The call.</param>
/// <param name="Direction">Inbound or outbound.</param>
/// <param name="Legs">Every leg seen, first leg first, then by leg uuid.</param>
/// <param name="Status">The first leg's completion status once it has completed.</param>
/// <param name="AnsweredBy">The not-first leg that answered (connected), if any.</param>
/// <param name="StartedAtNs">Earliest <c>timestamp_ns</c> of the call's events.</param>
/// <param name="AnsweredAtNs">When the first leg connected (else the answering leg), if it did.</param>
/// <param name="EndedAtNs">When the first leg completed, if it has.</param>
public sealed record TrackedCall(
    string Uuid,
    Direction Direction,
    IReadOnlyList<TrackedLeg> Legs,
    CompletionStatus? Status,
    TrackedLeg? AnsweredBy,
    long StartedAtNs,
    long? AnsweredAtNs,
    long? EndedAtNs)
{
    /// <summary>True once the first leg has completed.</summary>
    public bool IsCompleted => EndedAtNs is not null;
}

/// <summary>One leg of a tracked call with its latest state.</summary>
/// <param name="Uuid">The leg.</param>
/// <param name="IsFirst">True for the first (main) leg.</param>
/// <param name="From">The caller of this leg.</param>
/// <param name="To">The callee of this leg.</param>
/// <param name="State">The latest state by the leg state order, then time; null when the leg is known only as another event's <c>first_leg</c>.</param>
/// <param name="CompletionStatus">How the leg ended, once completed.</param>
/// <param name="UpdatedAtNs">The <c>timestamp_ns</c> of the event that gave <see cref="State"/>.</param>
public sealed record TrackedLeg(
    string Uuid,
    bool IsFirst,
    Participant From,
    Participant To,
    LegState? State,
    CompletionStatus? CompletionStatus,
    long? UpdatedAtNs);
