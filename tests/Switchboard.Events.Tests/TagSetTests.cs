namespace Switchboard.Events.Tests;

/// <summary>Tag sets as subscriptions and as an event's tags (tags.md, Matching).</summary>
public class TagSetTests
{
    [Fact]
    public void An_unknown_tag_makes_a_subscription_match_no_event_but_an_event_with_one_still_matches()
    {
        var subscription = TagSet.Of([Tags.Call, "retired-tag"]);

        Assert.False(TagSet.Of(Tags.All).ContainsAll(subscription));
        Assert.False(TagSet.Of([Tags.Call, Tags.Inbound]).ContainsAll(subscription));
        // Not even an event that carries an unknown tag of its own, or the same one.
        Assert.False(TagSet.Of([.. Tags.All, "retired-tag"]).ContainsAll(subscription));
        Assert.False(TagSet.Of(["retired-tag"]).ContainsAll(TagSet.Of(["retired-tag"])));
        Assert.False(TagSet.Of(["retired-tag"]).IsEmpty);

        // A newer hub may send tags this version of the library does not know: the known ones still match.
        var received = TagSet.Of([Tags.Call, Tags.Inbound, "some-future-tag"]);
        Assert.True(received.HasUnknown);
        Assert.False(TagSet.Of(Tags.All).HasUnknown);
        Assert.True(received.ContainsAll(TagSet.Of([Tags.Call, Tags.Inbound])));
        Assert.True(received.ContainsAll(TagSet.Empty));
        Assert.False(received.ContainsAll(TagSet.Of([Tags.Call, Tags.Outbound])));
        Assert.True(received.Contains(Tags.Call));
        Assert.False(received.Contains("some-future-tag"));
    }
}
