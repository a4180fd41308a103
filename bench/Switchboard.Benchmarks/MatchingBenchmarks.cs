using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchboard.Delivery;
using Switchboard.Events;
using Switchboard.Ingest;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Benchmarks;

/// <summary>
/// Matching one activity against the listener index (delivery.md, steps 1–4). Target (tags.md,
/// Performance): with 1 000 000 listeners over 100 000 accounts, matching costs within 20 % of
/// the cost with 1 000 listeners, because it only ever looks at the activity's own account.
/// The index is filled without a database, ten listeners an account as the API would leave them;
/// the activities cycle over many accounts so that the big index is read from memory, not cache.
/// </summary>
[MemoryDiagnoser]
public class MatchingBenchmarks
{
    private const int ListenersPerAccount = 10;
    private const long FirstVoipId = 1_000_000;

    /// <summary>The fixture's extension (7777777) and two more; a third of listeners sit on one of them.</summary>
    private static readonly long[] Extensions = [7_777_777, 7_777_778, 7_777_779];

    private static readonly string[][] TagChoices =
    [
        ["call"], ["call", "inbound"], ["new-call", "inbound", "to-did"], ["connected-call"], ["completed-call"],
        ["call", "to-extension"], ["new-call", "first-leg"], ["completed-call", "outbound"], ["message"],
        ["sms-message", "received-message"], ["*ms-message", "sent-message"], ["call-log"], ["recording"],
        ["voicemail-recording"], ["api-error"], ["deactivated-listener-callback"],
    ];

    private static readonly string[] Fixtures =
    [
        "inbound-call-to-device/1-1st-leg-new.json", "inbound-call-to-device/3-2nd-leg-new.json",
        "inbound-call-to-device/5-2nd-leg-connected.json", "inbound-call-to-device/8-1st-leg-completed.json",
        "message.json", "call-log.json", "recording.json",
    ];

    private Activity[] _activities = [];
    private Activity[] _hundredAccounts = [];
    private ListenerIndex _index = null!;
    private long _now;
    private int _next;
    private string _dataDirectory = "";

    [Params(1_000, 1_000_000)]
    public int Listeners { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        // The index needs a database to reload from; the benchmark never makes it.
        _dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-bench", Guid.NewGuid().ToString("N"));
        _index = new ListenerIndex(new SqliteHubDatabase(_dataDirectory));
        var accounts = Listeners / ListenersPerAccount;
        long id = 1;
        var config = JsonSerializer.SerializeToElement(new { url = "https://hooks.example.com/switchboard", method = "POST" });
        for (var a = 0; a < accounts; a++)
        {
            var voipId = FirstVoipId + a;
            var listeners = new List<IndexedListener>(ListenersPerAccount);
            var callbacks = new List<IndexedCallback>(ListenersPerAccount);
            for (var l = 0; l < ListenersPerAccount; l++, id++)
            {
                var callback = new Callback(id, voipId, null, null, null, null, true, CallbackMode.Https, config);
                callbacks.Add(new IndexedCallback(callback, new HttpCallbackConfig(callback.Config.GetProperty("url").GetString()!, "POST", null, null, null), null, null));
                long? extension = random.Next(3) == 0 ? Extensions[random.Next(Extensions.Length)] : null;
                var subscriptions = Enumerable.Range(0, random.Next(1, 4)).Select(_ => TagSet.Of(TagChoices[random.Next(TagChoices.Length)])).ToArray();
                listeners.Add(new IndexedListener(id, voipId, extension, "2.0.0", id, random.Next(20) == 0 ? long.MaxValue : null, subscriptions, Filters(random)));
            }
            _index.Replace(AccountListeners.Build(voipId, listeners, callbacks, []));
        }

        var parsed = Fixtures.Select(Read).ToArray();
        _activities = new Activity[1 << 16];
        for (var i = 0; i < _activities.Length; i++)
        {
            var fixture = parsed[random.Next(parsed.Length)];
            _activities[i] = fixture with
            {
                VoipId = FirstVoipId + random.Next(accounts),
                ExtensionIds = random.Next(4) == 0 ? [Extensions[random.Next(Extensions.Length)]] : [],
            };
        }
        // The same activities within the first 100 accounts only: the cost of matching with the
        // index in cache, to tell the work of matching from the wait for memory.
        _hundredAccounts = [.. _activities.Select(a => a with { VoipId = FirstVoipId + ((a.VoipId - FirstVoipId) % 100) })];
        _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var matched = _activities.Sum(a => _index.Match(a, _now).Count);
        Console.WriteLine($"// {Listeners} listeners over {accounts} accounts; {(double)matched / _activities.Length:F2} listeners matched per activity");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public int Match()
    {
        var activity = _activities[_next++ & (_activities.Length - 1)];
        return _index.Match(activity, _now).Count;
    }

    [Benchmark]
    public int MatchInHundredAccounts()
    {
        var activity = _hundredAccounts[_next++ & (_hundredAccounts.Length - 1)];
        return _index.Match(activity, _now).Count;
    }

    /// <summary>One listener in five has a number filter, as integrators narrow a listener to a DID or a few.</summary>
    private static IndexedFilter[] Filters(Random random) => random.Next(5) switch
    {
        0 => random.Next(3) switch
        {
            0 => [new IndexedFilter("+15550000002", null, null, null, false)],
            1 => [new IndexedFilter(null, ["+15550000001", "+15550000009", "+15551234567"], null, null, false)],
            _ => [new IndexedFilter(null, null, "+1555%".Split('%'), null, random.Next(2) == 0)],
        },
        _ => [],
    };

    private static Activity Read(string fixture)
    {
        var root = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "events", fixture))).RootElement;
        var activity = new Dictionary<string, JsonElement>
        {
            ["voip_id"] = root.GetProperty("context").GetProperty("voip_id"),
            ["data_type"] = root.GetProperty("data_type"),
            ["data_object_uuid"] = root.GetProperty("data_object_uuid"),
            ["timestamp_ns"] = root.GetProperty("timestamp_ns"),
            ["data"] = root.GetProperty("data"),
        };
        var errors = new Dictionary<string, string>();
        return ActivityReader.Read(JsonSerializer.SerializeToElement(activity), "", 0, errors)
            ?? throw new InvalidOperationException($"{fixture} is not a valid activity: {string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}"))}");
    }
}
