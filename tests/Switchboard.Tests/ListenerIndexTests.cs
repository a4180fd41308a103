using System.Text.Json;
using Switchboard.Delivery;
using Switchboard.Events;
using Switchboard.Ingest;
using Switchboard.Matching;
using Switchboard.Storage;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// The listener index against delivery.md steps 1–4 read literally, listener by listener, over
/// many random accounts: extension-level and account-level listeners, several subscriptions,
/// number filters with and without not_logic, expiry, and producer-named extensions.
/// </summary>
public class ListenerIndexTests
{
    private const long VoipId = 1000002;
    private static readonly long[] Extensions = [7777777, 7777778, 7777779, 8888888];
    private static readonly string[] Numbers = ["+15550000001", "+15550000002", "+15550000009"];

    [Fact]
    public void Matching_picks_exactly_the_listeners_delivery_md_describes()
    {
        var random = new Random(7);
        var index = new ListenerIndex(new SqliteHubDatabase(Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"))));
        var activities = new[] { "inbound-call-to-device/1-1st-leg-new.json", "inbound-call-to-device/3-2nd-leg-new.json", "inbound-call-to-device/7-2nd-leg-completed.json", "message.json", "call-log.json", "recording.json" }
            .Select(ActivityFromFixture).ToList();
        activities.Add(activities[0] with { DataType = DataType.ListenerCallback, TagSet = TagSet.Of(["deactivated-listener-callback"]) });
        const long now = 1_700_000_000;
        var compared = 0;
        var matchedTotal = 0;

        for (var round = 0; round < 300; round++)
        {
            var listeners = Enumerable.Range(1, random.Next(0, 25)).Select(id => RandomListener(random, id, now)).ToList();
            var callbacks = listeners.Select(l => l.CallbackId).Distinct().Select(Callback).ToList();
            index.Replace(AccountListeners.Build(VoipId, listeners, callbacks, []));

            foreach (var fixture in activities)
            {
                var named = Enumerable.Range(0, random.Next(3)).Select(_ => Extensions[random.Next(Extensions.Length)]).ToArray();
                var activity = fixture with { ExtensionIds = named };
                var expected = listeners.Where(l => Wanted(l, activity, now)).Select(l => l.Id).Order().ToList();

                var actual = index.Match(activity, now).Select(l => l.Id).ToList();

                Assert.True(expected.SequenceEqual(actual.Order()),
                    $"round {round}, {activity.DataType} naming [{string.Join(", ", named)}]: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
                compared++;
                matchedTotal += actual.Count;
            }
        }

        // The random accounts must exercise matching, not just agree on empty answers.
        Assert.Equal(300 * activities.Count, compared);
        Assert.True(matchedTotal > 1000, $"only {matchedTotal} matches in all rounds");
    }

    /// <summary>delivery.md steps 1–4 for one listener, as written.</summary>
    private static bool Wanted(IndexedListener listener, Activity activity, long now)
    {
        var concerned = new List<long>();
        ActivityFacts.ConcernedExtensions(activity.Model, activity.ExtensionIds, concerned);
        var inScope = activity.DataType == DataType.ListenerCallback || listener.ExtensionId is not { } extension || concerned.Contains(extension);
        return inScope
            && listener.Subscriptions.Length > 0
            && !(listener.ExpiresAt <= now)
            && listener.Subscriptions.Any(s => activity.TagSet.ContainsAll(s))
            && listener.Filters.All(f => f.Passes(ActivityFacts.Numbers(activity.Model), activity.TimestampNs, new Dictionary<long, Schedule>()));
    }

    private static IndexedListener RandomListener(Random random, long id, long now)
    {
        long? extension = random.Next(2) == 0 ? null : Extensions[random.Next(Extensions.Length)];
        long? expires = random.Next(6) switch { 0 => now - 1, 1 => now, 2 => now + 60, _ => null };
        var subscriptions = Enumerable.Range(0, random.Next(0, 4))
            .Select(_ => TagSet.Of(Enumerable.Range(0, random.Next(1, 3)).Select(_ => Tags.All[random.Next(Tags.All.Count)])))
            .ToArray();
        var filters = Enumerable.Range(0, random.Next(5) == 0 ? random.Next(1, 3) : 0).Select(_ => RandomFilter(random)).ToArray();
        return new IndexedListener(id, VoipId, extension, "2.0.0", 100 + id, expires, subscriptions, filters);
    }

    private static IndexedFilter RandomFilter(Random random)
    {
        var not = random.Next(3) == 0;
        return random.Next(3) switch
        {
            0 => new IndexedFilter(Numbers[random.Next(Numbers.Length)], null, null, null, not),
            1 => new IndexedFilter(null, [Numbers[random.Next(Numbers.Length)], Numbers[random.Next(Numbers.Length)]], null, null, not),
            _ => new IndexedFilter(null, null, "+1555%2".Split('%'), null, not),
        };
    }

    private static IndexedCallback Callback(long id)
    {
        var config = JsonSerializer.SerializeToElement(new { url = "https://hooks.example.com/a", method = "POST" });
        return new IndexedCallback(new Callback(id, VoipId, null, null, null, null, true, CallbackMode.Https, config),
            new HttpCallbackConfig("https://hooks.example.com/a", "POST", null, null, null), null, null);
    }

    private static Activity ActivityFromFixture(string fixture)
    {
        var errors = new Dictionary<string, string>();
        using var document = JsonDocument.Parse(ActivityOf(fixture).ToJsonString());
        return ActivityReader.Read(document.RootElement, "", 0, errors) ?? throw new InvalidOperationException(string.Join("; ", errors.Values));
    }
}
