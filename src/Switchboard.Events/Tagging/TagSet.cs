namespace Switchboard.Events;

/// <summary>
/// A set of known tags as a bit mask, so that "the event carries every tag of the subscription"
/// (tags.md, Matching) is one AND and one compare.
/// </summary>
public readonly record struct TagSet(ulong Bits)
{
    /// <summary>The empty set.</summary>
    public static TagSet Empty => default;

    /// <summary>The set of the given tags; unknown tags are ignored (they can match nothing).</summary>
    public static TagSet Of(IEnumerable<string> tags)
    {
        ulong bits = 0;
        foreach (var tag in tags)
        {
            var i = Tags.IndexOf(tag);
            if (i >= 0)
            {
                bits |= 1UL << i;
            }
        }
        return new TagSet(bits);
    }

    /// <summary>True when this set holds every tag of <paramref name="subscription"/>.</summary>
    public bool ContainsAll(TagSet subscription) => (Bits & subscription.Bits) == subscription.Bits;

    /// <summary>True when the set holds <paramref name="tag"/>.</summary>
    public bool Contains(string tag) => Tags.IndexOf(tag) is var i and >= 0 && (Bits & (1UL << i)) != 0;

    /// <summary>True when no tag is in the set.</summary>
    public bool IsEmpty => Bits == 0;
}
