namespace Switchboard.Listen;

/// <summary>What <c>switchboard listen</c> was asked for, checked by the command line.</summary>
/// <param name="Port">Port on 127.0.0.1; 0 picks a free one.</param>
/// <param name="Secret">The Standard Webhooks secret requests must be signed with, if any.</param>
/// <param name="Hub">A running hub to register with, or null to only receive.</param>
/// <param name="Token">The account token for <paramref name="Hub"/>.</param>
/// <param name="Account">The account (voip_id) the listener is created in.</param>
/// <param name="Subscriptions">One tag list per subscription (AND within, OR across: tags.md).</param>
/// <param name="Json">Print raw event JSON instead of summary lines.</param>
/// <param name="Ordered">Register an ordered listener (delivery.md, Ordered listeners).</param>
internal sealed record ListenPlan(
    int Port,
    string? Secret,
    Uri? Hub,
    string? Token,
    long? Account,
    IReadOnlyList<IReadOnlyList<string>> Subscriptions,
    bool Json,
    bool Ordered = false)
{
    public const int DefaultPort = 9000;

    /// <summary>
    /// "Every event" as subscriptions: one per kind of data, since a subscription matches only events
    /// carrying all its tags (tags.md) and no tag is on every event. api-error is for account-level
    /// listeners only, which is what listen creates.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> AllEvents { get; } =
    [
        [Events.Tags.Call], [Events.Tags.Message], [Events.Tags.CallLog], [Events.Tags.Recording],
        [Events.Tags.ApiError], [Events.Tags.DeactivatedListenerCallback],
    ];
}
