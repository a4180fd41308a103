namespace Switchboard.Events;

/// <summary>
/// A set of known tags as a bit mask, so that "the event carries every tag of the subscription"
/// (tags.md, Matching) is one AND and one compare.
/// </summary>
public readonly record struct TagSet(ulong Bits)
{
    /// <summary>
    /// Set for a tag outside the tag list (which has far fewer than 63 tags). A subscription with
    /// it matches nothing: dropping the tag instead would make the subscription match more events.
    /// </summary>
    private const ulong UnknownBit = 1UL << 63;

    /// <summary>The empty set.</summary>
    public static TagSet Empty => default;

    /// <summary>
    /// The set of the given tags. A tag outside the tag list is kept only as "some unknown tag":
    /// as a subscription the set then matches no event; as an event's tags it still matches
    /// subscriptions of its known tags.
    /// </summary>
    public static TagSet Of(IEnumerable<string> tags)
    {
        ulong bits = 0;
        foreach (var tag in tags)
        {
            var i = Tags.IndexOf(tag);
            bits |= i >= 0 ? 1UL << i : UnknownBit;
        }
        return new TagSet(bits);
    }

    /// <summary>True when a tag outside the tag list went into the set.</summary>
    public bool HasUnknown => (Bits & UnknownBit) != 0;

    /// <summary>
    /// True when this set holds every tag of <paramref name="subscription"/>; never when the
    /// subscription has an unknown tag, since no event carries a tag the list does not define.
    /// </summary>
    public bool ContainsAll(TagSet subscription) => !subscription.HasUnknown && (Bits & subscription.Bits) == subscription.Bits;

    /// <summary>True when the set holds <paramref name="tag"/>.</summary>
    public bool Contains(string tag) => Tags.IndexOf(tag) is var i and >= 0 && (Bits & (1UL << i)) != 0;

    /// <summary>True when no tag is in the set.</summary>
    public bool IsEmpty => Bits == 0;
}
