using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// Continuous ingest for the fault tests (crashes, storage faults): single activities and NDJSON
/// batches of fresh calls, each activity the hub answered 202 for remembered, every other answer
/// counted in <see cref="IngestAnswers"/>.
/// </summary>
internal static class FaultLoad
{
    private static readonly JsonObject[] CallActivities =
        [.. Enumerable.Range(1, 8).Select(i => Directory.GetFiles(FixturePath("inbound-call-to-device"), $"{i}-*.json").Single())
            .Select(p => ActivityOf("inbound-call-to-device/" + Path.GetFileName(p)))];

    public static HttpClient Client(string url, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// Ingests until stopped, remembering each activity the hub answered 202 for (with what
    /// <paramref name="flag"/> said when it was sent, such as whether that was after a restart).
    /// Requests a fault cuts off are not acknowledged, so nothing is expected of them. With a
    /// <paramref name="pause"/> after every 202 the load is steady rather than as much as the hub takes.
    /// </summary>
    public static async Task IngestUntilAsync(HttpClient producer, int task, ConcurrentDictionary<string, bool> acknowledged, Func<bool> flag, CancellationToken stop, IngestAnswers? answers = null, TimeSpan? pause = null)
    {
        var random = new Random(task);
        while (!stop.IsCancellationRequested)
        {
            var size = random.Next(3) == 0 ? 1 : random.Next(5, 30);
            var activities = Enumerable.Range(0, size).Select(_ => NewActivity(random)).ToList();
            var uuids = activities.Select(a => a["data_object_uuid"]!.GetValue<string>()).ToList();
            var content = size == 1
                ? Json(activities[0].ToJsonString())
                : new StringContent(string.Join('\n', activities.Select(a => a.ToJsonString())), Encoding.UTF8, "application/x-ndjson");
            var flagged = flag();
            try
            {
                using var response = await producer.PostAsync("/v4/ingest", content, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    var answer = JsonDocument.Parse(body).RootElement;
                    Assert.Equal(size, answer.GetProperty("accepted").GetInt32());
                    foreach (var uuid in uuids)
                    {
                        acknowledged[uuid] = flagged;
                    }
                    answers?.Accepted(size);
                    if (pause is { } wait)
                    {
                        await Task.Delay(wait, CancellationToken.None);
                    }
                    continue;
                }
                answers?.Refused(response, body, uuids);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The hub is down, or did not answer in 30 s: not acknowledged.
                answers?.Unanswered(e);
            }
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Waits up to 30 s for <paramref name="condition"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within 30 s: {what}.");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>A step of the fixture call, made a call of its own: a fresh data.uuid, which is its data_object_uuid.</summary>
    private static JsonObject NewActivity(Random random)
    {
        var activity = CallActivities[random.Next(CallActivities.Length)].DeepClone().AsObject();
        var uuid = Guid.NewGuid().ToString();
        activity["data_object_uuid"] = uuid;
        activity["data"]!["uuid"] = uuid;
        return activity;
    }
}

/// <summary>
/// What ingest answered besides 202 during a fault: 503s (which must carry the <c>@error</c>
/// envelope and <c>Retry-After</c>), anything else, and requests that got no answer at all.
/// </summary>
internal sealed class IngestAnswers
{
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentDictionary<string, bool> _refusedActivities = new();
    private long _accepted;
    private long _unavailable;
    private long _unanswered;
    private long _lastAcceptedTicks;
    private long _firstUnavailableTicks;

    /// <summary>Activities answered 202.</summary>
    public long AcceptedActivities => Interlocked.Read(ref _accepted);

    /// <summary>Requests answered 503 with the envelope and Retry-After.</summary>
    public long Unavailable => Interlocked.Read(ref _unavailable);

    public long UnansweredRequests => Interlocked.Read(ref _unanswered);

    /// <summary>Answers other than 202 and a well-formed 503, with their bodies.</summary>
    public IReadOnlyCollection<string> Unexpected => _unexpected;

    /// <summary>The activities of requests answered 503: none of them was accepted.</summary>
    public ICollection<string> RefusedActivities => _refusedActivities.Keys;

    /// <summary>When (<see cref="Stopwatch"/> ticks) the last 202 came, or 0.</summary>
    public long LastAcceptedAt => Interlocked.Read(ref _lastAcceptedTicks);

    /// <summary>When the first 503 came, or 0.</summary>
    public long FirstUnavailableAt => Interlocked.Read(ref _firstUnavailableTicks);

    public void Accepted(int activities)
    {
        Interlocked.Add(ref _accepted, activities);
        Interlocked.Exchange(ref _lastAcceptedTicks, Stopwatch.GetTimestamp());
    }

    public void Refused(HttpResponseMessage response, string body, IEnumerable<string> activities)
    {
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable && IsEnvelope(body) && response.Headers.RetryAfter is not null)
        {
            Interlocked.Increment(ref _unavailable);
            Interlocked.CompareExchange(ref _firstUnavailableTicks, Stopwatch.GetTimestamp(), 0);
            foreach (var activity in activities)
            {
                _refusedActivities[activity] = true;
            }
            return;
        }
        if (_unexpected.Count < 100)
        {
            _unexpected.Enqueue($"{(int)response.StatusCode} (Retry-After: {response.Headers.RetryAfter?.ToString() ?? "none"}): {body}");
        }
    }

    public void Unanswered(Exception e)
    {
        Interlocked.Increment(ref _unanswered);
        if (_unexpected.Count < 100 && e is TaskCanceledException)
        {
            _unexpected.Enqueue("no answer within 30 s");
        }
    }

    private static bool IsEnvelope(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("@error", out var error)
                && error.GetProperty("@httpStatusCode").GetInt32() == 503
                && !string.IsNullOrWhiteSpace(error.GetProperty("@message").GetString());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>The events a receiver took (answered 2xx), by (activity, listener) and by event uuid.</summary>
internal sealed class ReceivedEvents
{
    private readonly Dictionary<(string Activity, long Listener), HashSet<string>> _uuidsOf = [];
    private readonly Dictionary<string, HashSet<(string, long)>> _eventsOf = [];
    private int _taken;

    public int Count { get; private set; }

    public int Distinct => _eventsOf.Count;

    /// <summary>Events that arrived more than once (by uuid): at-least-once delivery's duplicates.</summary>
    public int Duplicates => Count - Distinct;

    /// <summary>Reads what arrives until no event of <paramref name="expected"/> is missing or <paramref name="timeout"/> has passed; what is still missing.</summary>
    public async Task<List<(string Activity, long Listener)>> WaitForAsync(Receiver receiver, IReadOnlyCollection<string> expected, IReadOnlyList<long> listenerIds, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        List<(string Activity, long Listener)> missing;
        do
        {
            await Task.Delay(100);
            Take(receiver);
            missing = Missing(expected, listenerIds);
        }
        while (missing.Count > 0 && clock.Elapsed < timeout);
        return missing;
    }

    /// <summary>Reads the requests answered since the last call; those the receiver refused, or that went before their answer, are not deliveries.</summary>
    public void Take(Receiver receiver)
    {
        foreach (var request in receiver.Requests.Skip(_taken).ToList())
        {
            if (request.AnsweredWith == 0)
            {
                // Not answered yet: read from here next time.
                break;
            }
            _taken++;
            if (request.AnsweredWith is < 200 or >= 300)
            {
                continue;
            }
            using var body = JsonDocument.Parse(request.Body);
            if (!body.RootElement.TryGetProperty("listener_id", out var listener))
            {
                // The callback verification.
                continue;
            }
            Count++;
            var key = (body.RootElement.GetProperty("data_object_uuid").GetString()!, listener.GetInt64());
            var uuid = body.RootElement.GetProperty("uuid").GetString()!;
            (_uuidsOf.TryGetValue(key, out var uuids) ? uuids : _uuidsOf[key] = []).Add(uuid);
            (_eventsOf.TryGetValue(uuid, out var of) ? of : _eventsOf[uuid] = []).Add(key);
        }
    }

    public List<(string Activity, long Listener)> Missing(IEnumerable<string> activities, IEnumerable<long> listeners) =>
        [.. activities.SelectMany(a => listeners.Select(l => (a, l))).Where(key => !_uuidsOf.ContainsKey(key))];

    /// <summary>Activities among <paramref name="activities"/> of which some event arrived.</summary>
    public List<string> Arrived(IEnumerable<string> activities)
    {
        var arrived = _uuidsOf.Keys.Select(k => k.Activity).ToHashSet();
        return [.. activities.Where(arrived.Contains)];
    }

    /// <summary>A redelivery must carry the event's uuid again (Standard Webhooks: webhook-id), so the receiver can tell.</summary>
    public IEnumerable<(string Activity, long Listener, HashSet<string> Uuids)> RedeliveredUnderANewUuid() =>
        _uuidsOf.Where(e => e.Value.Count > 1).Select(e => (e.Key.Activity, e.Key.Listener, e.Value));

    public IEnumerable<string> UuidsOfMoreThanOneEvent() => _eventsOf.Where(e => e.Value.Count > 1).Select(e => e.Key);
}
