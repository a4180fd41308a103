using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Matching;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>Which listeners get an activity (delivery.md, steps 1–4), seen at real receivers.</summary>
public class MatchingTests
{
    private const string NewLeg = "inbound-call-to-device/3-2nd-leg-new.json"; // +15550000001 → +15550000002, then device of extension 7777777

    [Fact]
    public async Task Subscriptions_are_AND_within_and_OR_across()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await using var inboundCalls = await Receiver.StartAsync();
        await using var outboundCalls = await Receiver.StartAsync();
        await using var outboundOrMessages = await Receiver.StartAsync();
        await using var callAndMessage = await Receiver.StartAsync();
        await ListenAsync(account, AccountBase, inboundCalls.Url, [["call", "inbound"]]);
        await ListenAsync(account, AccountBase, outboundCalls.Url, [["call", "outbound"]]);
        await ListenAsync(account, AccountBase, outboundOrMessages.Url, [["outbound"], ["message"]]);
        await ListenAsync(account, AccountBase, callAndMessage.Url, [["call", "message"]]);

        await IngestAsync(producer, ActivityOf(NewLeg));
        await IngestAsync(producer, ActivityOf("message.json"));
        await inboundCalls.WaitForEventsAsync(1);
        await outboundOrMessages.WaitForEventsAsync(1);
        // A marker for "everything before it was delivered": one more inbound call.
        await IngestAsync(producer, ActivityOf("inbound-call-to-device/1-1st-leg-new.json"));
        await inboundCalls.WaitForEventsAsync(2);

        // Events are created at ingest: the count says who was matched, whatever is still on its way.
        Assert.Equal(3, await EventCountAsync(hub));
        Assert.Equal(2, inboundCalls.Events.Count());
        Assert.Empty(outboundCalls.Events);
        Assert.Equal("message", Parse(Assert.Single(outboundOrMessages.Events).Body).GetProperty("data_type").GetString());
        Assert.Empty(callAndMessage.Events);
    }

    [Theory]
    [InlineData("""{"eq": "+15550000002"}""", false, true)]
    [InlineData("""{"eq": "+15559999999"}""", false, false)]
    [InlineData("""{"eq": "+15559999999"}""", true, true)]
    [InlineData("""{"in": ["+15559999999", "+15550000001"]}""", false, true)]
    [InlineData("""{"match": "+1555%"}""", false, true)]
    [InlineData("""{"match": "%0002"}""", false, true)]
    [InlineData("""{"match": "+1%00%02"}""", false, true)]
    [InlineData("""{"match": "+44%"}""", false, false)]
    [InlineData("""{"match": "+1555%"}""", true, false)]
    public async Task Number_filters_look_at_every_did_of_the_activity(string value, bool notLogic, bool delivered)
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await using var filtered = await Receiver.StartAsync();
        await using var marker = await Receiver.StartAsync();
        var filter = $$"""[{"filter_type": "number", "filter_value": {{value}}, "not_logic": {{(notLogic ? "true" : "false")}}}]""";
        await ListenAsync(account, AccountBase, filtered.Url, [["call"]], filter);
        await ListenAsync(account, AccountBase, marker.Url, [["call"]]);

        await IngestAsync(producer, ActivityOf(NewLeg));
        await marker.WaitForEventsAsync(1);
        await IngestAsync(producer, ActivityOf(NewLeg));
        await marker.WaitForEventsAsync(2);
        Assert.Equal(delivered ? 4 : 2, await EventCountAsync(hub));
        if (delivered)
        {
            await filtered.WaitForEventsAsync(2);
        }
    }

    [Theory]
    [InlineData("Sun 2020-06-21", false)] // the fixture call: Thursday 2020-06-25 14:49 UTC = 10:49 in New York
    [InlineData("Mon-Fri 09:00-17:30", true)]
    [InlineData("Mon-Fri 11:00-17:30", false)]
    [InlineData("closed 2020-06-25", false)]
    public async Task Schedule_filters_follow_the_calendar_in_its_time_zone(string calendar, bool inside)
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var (rules, exceptions) = calendar switch
        {
            "Sun 2020-06-21" => ("""[{"days": ["sun"], "from": "00:00", "to": "24:00"}]""", "[]"),
            "Mon-Fri 09:00-17:30" => ("""[{"days": ["mon","tue","wed","thu","fri"], "from": "09:00", "to": "17:30"}]""", "[]"),
            "Mon-Fri 11:00-17:30" => ("""[{"days": ["mon","tue","wed","thu","fri"], "from": "11:00", "to": "17:30"}]""", "[]"),
            _ => ("""[{"days": ["mon","tue","wed","thu","fri"], "from": "09:00", "to": "17:30"}]""", """[{"date": "2020-06-25", "open": false}]"""),
        };
        var schedule = await CreateAsync(account, "/v4/accounts/1000002/schedules",
            $$"""{"name": "Office", "time_zone": "America/New_York", "rules": {{rules}}, "exceptions": {{exceptions}}}""");
        await using var inHours = await Receiver.StartAsync();
        await using var outOfHours = await Receiver.StartAsync();
        await ListenAsync(account, AccountBase, inHours.Url, [["call"]], $$$"""[{"filter_type": "schedule", "filter_value": {"id": {{{schedule}}}}}]""");
        await ListenAsync(account, AccountBase, outOfHours.Url, [["call"]], $$$"""[{"filter_type": "schedule", "filter_value": {"id": {{{schedule}}}}, "not_logic": true}]""");

        await IngestAsync(producer, ActivityOf(NewLeg));

        var (yes, no) = inside ? (inHours, outOfHours) : (outOfHours, inHours);
        await yes.WaitForEventsAsync(1);
        // Events are created at ingest: one event in all means nothing is on its way to the other.
        Assert.Equal(1, await EventCountAsync(hub));
        Assert.Empty(no.Events);
    }

    [Fact]
    public async Task Extension_listeners_get_activities_that_concern_their_extension_with_an_extension_context()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await using var ext7777777 = await Receiver.StartAsync();
        await using var ext5 = await Receiver.StartAsync();
        await using var ext6 = await Receiver.StartAsync();
        await ListenAsync(account, ExtensionBase, ext7777777.Url, [["call"]]);
        await ListenAsync(account, "/v4/accounts/1000002/extensions/5/integrations/events", ext5.Url, [["call"]]);
        await ListenAsync(account, "/v4/accounts/1000002/extensions/6/integrations/events", ext6.Url, [["call"]]);

        await IngestAsync(producer, ActivityOf(NewLeg)); // names extension 7777777 in event_leg.to
        var named = ActivityOf("inbound-call-to-device/1-1st-leg-new.json");
        named["extension_ids"] = new JsonArray(5); // named by the producer only
        await IngestAsync(producer, named);
        await ext7777777.WaitForEventsAsync(1);
        await ext5.WaitForEventsAsync(1);

        var context = Parse(Assert.Single(ext7777777.Events).Body).GetProperty("context");
        Assert.Equal("extension", context.GetProperty("type").GetString());
        Assert.Equal(7777777, context.GetProperty("id").GetInt64());
        Assert.Equal(1000002, context.GetProperty("voip_id").GetInt64());
        Assert.Single(ext5.Events);
        Assert.Equal(2, await EventCountAsync(hub));
        Assert.Empty(ext6.Events);
    }

    [Fact]
    public async Task Other_accounts_and_expired_listeners_get_nothing_and_changes_count_at_once()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var other = await hub.ClientAsync(TokenScope.Account, 2000003);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await using var mine = await Receiver.StartAsync();
        await using var theirs = await Receiver.StartAsync();
        await using var expiring = await Receiver.StartAsync();
        await ListenAsync(account, AccountBase, mine.Url, [["call"]]);
        await ListenAsync(other, OtherAccountBase, theirs.Url, [["call"]]);
        var soon = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 2;
        await ListenAsync(account, AccountBase, expiring.Url, [["call"]], listenerExtra: $", \"expires_at\": {soon}");

        await IngestAsync(producer, ActivityOf(NewLeg));
        await mine.WaitForEventsAsync(1);
        await expiring.WaitForEventsAsync(1);
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() <= soon)
        {
            await Task.Delay(100);
        }
        await IngestAsync(producer, ActivityOf(NewLeg));
        await mine.WaitForEventsAsync(2);
        Assert.Equal(3, await EventCountAsync(hub));
        Assert.Single(expiring.Events);
        Assert.Empty(theirs.Events);

        // A subscription added now applies to the very next activity.
        var listener = (await BodyAsync(await other.GetAsync($"{OtherAccountBase}/listeners"))).GetProperty("items")[0].GetProperty("id");
        await CreateAsync(other, $"{OtherAccountBase}/listeners/{listener}/subscriptions", """{":tags": ["message"]}""");
        await IngestAsync(producer, ActivityOf("message.json", voipId: 2000003));
        await theirs.WaitForEventsAsync(1);
    }

    [Fact]
    public async Task A_stored_subscription_with_a_tag_the_hub_does_not_know_matches_nothing()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await using var retired = await Receiver.StartAsync();
        await using var marker = await Receiver.StartAsync();
        var item = await ListenAsync(account, AccountBase, retired.Url, [["call"]]);
        await ListenAsync(account, AccountBase, marker.Url, [["call"]]);
        // The API refuses unknown tags; one can still be in the database, from a tag list of another version.
        await using (var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None))
        {
            await HubConnection.ExecuteAsync(db.Command("""UPDATE subscriptions SET tags = '["call","retired-tag"]' WHERE listener_id = @id""")
                .With("@id", item.GetProperty("id").GetInt64()), CancellationToken.None);
        }
        await hub.Services.GetRequiredService<ListenerIndex>().ChangedAsync(1000002, CancellationToken.None);

        await IngestAsync(producer, ActivityOf(NewLeg));
        await marker.WaitForEventsAsync(1);

        Assert.Equal(1, await EventCountAsync(hub));
        Assert.Empty(retired.Events);
    }

    /// <summary>Events rendered so far, by status or all.</summary>
    internal static async Task<long> EventCountAsync(TestHub hub, string? status = null)
    {
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        // An event is a slot of an activity's targets; it has a deliveries row once it has an outcome.
        var targets = await HubConnection.ListAsync(db.Command("SELECT targets FROM activities"), r => TargetsJson.Read(r.GetString(0)).Length, CancellationToken.None);
        long all = targets.Sum();
        return status switch
        {
            null => all,
            "pending" => all - await HubConnection.Int64Async(db.Command("SELECT COUNT(*) FROM deliveries WHERE status <> 'pending'"), CancellationToken.None),
            _ => await HubConnection.Int64Async(db.Command("SELECT COUNT(*) FROM deliveries WHERE status = @status").With("@status", status), CancellationToken.None),
        };
    }
}
