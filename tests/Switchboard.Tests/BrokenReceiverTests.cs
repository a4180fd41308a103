using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Matching;
using Switchboard.Storage;
using Xunit.Abstractions;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>
/// delivery.md, HTTP and HTTPS callbacks: anything but a 2xx within the timeout — a receiver that
/// never answers, resets, trickles, floods, fails TLS or does not exist — is a failed attempt
/// recorded with its error, and (Concurrency) a slow or dead receiver does not delay other
/// callbacks. Each broken receiver is a raw socket (<see cref="FaultyReceiver"/>) beside a healthy
/// one; the hub's timeout is 2 s here, so the hanging ones still hang while the healthy callback
/// gets all its events.
/// </summary>
public class BrokenReceiverTests(ITestOutputHelper log)
{
    private const int TimeoutSeconds = 2;
    private const int Activities = 40;
    private const string Call = "inbound-call-to-device/1-1st-leg-new.json";

    public static TheoryData<ReceiverFault, string> Faults => new()
    {
        { ReceiverFault.Hangs, $"^no answer within {TimeoutSeconds} s$" },
        { ReceiverFault.Resets, "^the receiver reset the connection" },
        { ReceiverFault.Trickles, $"^no answer within {TimeoutSeconds} s$" },
        { ReceiverFault.AnswersFiftyMegabytes, "^answered 500 Internal Server Error: the receiver is broken; " },
        { ReceiverFault.BreaksOffItsAnswer, "^answered 500 Internal Server Error: the receiver is broken \\(the answer broke off\\)$" },
        { ReceiverFault.FailsTheTlsHandshake, "^TLS error: (?!.*inner exception).*handshake failure" },
        { ReceiverFault.PresentsAWrongHostCertificate, "^TLS error: .*RemoteCertificateNameMismatch" },
        { ReceiverFault.PresentsAnExpiredCertificate, "^TLS error: .*(expired|NotTimeValid)" },
        { ReceiverFault.DoesNotResolve, "^the host name does not resolve" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_broken_receiver_is_a_failed_attempt_with_a_clear_error_and_holds_up_no_other_callback(ReceiverFault fault, string error)
    {
        await using var hub = await TestHub.StartAsync(null, $"--Delivery:DefaultTimeoutSeconds={TimeoutSeconds}", "--Delivery:RetrySchedule=1h");
        await using var healthy = await Receiver.StartAsync();
        await using var broken = FaultyReceiver.Start(fault);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        await ListenAsync(account, AccountBase, healthy.Url, [["call"]]);
        var brokenListener = await ListenBehindTheApiAsync(hub, account, broken.Url);

        var clock = Stopwatch.StartNew();
        await ExpectAsync(await IngestBatchAsync(producer, Enumerable.Range(0, Activities).Select(_ => ActivityOf(Call))), HttpStatusCode.Accepted);
        await healthy.WaitForEventsAsync(Activities, TimeSpan.FromSeconds(10));
        var healthyDone = clock.Elapsed;
        var attemptsWhenHealthyWasDone = await AttemptsAsync(account, brokenListener);

        var attempt = await FirstAttemptAsync(account, brokenListener);
        log.WriteLine($"{fault}: the healthy callback had its {Activities} events {healthyDone.TotalMilliseconds:0} ms after ingest " +
            $"({attemptsWhenHealthyWasDone} attempts at the broken one recorded by then); the broken one's first attempt took {attempt.GetProperty("duration_ms").GetInt32()} ms: " +
            $"{attempt.GetProperty("error").GetString()}; it was sent {broken.BytesSent:N0} bytes of answer");

        Assert.True(healthyDone < TimeSpan.FromSeconds(TimeoutSeconds), $"the healthy callback took {healthyDone.TotalMilliseconds:0} ms");
        var message = attempt.GetProperty("error").GetString()!;
        Assert.Matches(error, message);
        Assert.True(message.Length <= 1100, $"the error kept {message.Length} characters");
        Assert.Equal(broken.Url, attempt.GetProperty("url").GetString());
        if (fault is ReceiverFault.Hangs or ReceiverFault.Trickles)
        {
            // The healthy callback had everything while the broken one was still hanging.
            Assert.Equal(0, attemptsWhenHealthyWasDone);
            Assert.InRange(attempt.GetProperty("duration_ms").GetInt32(), (TimeoutSeconds * 1000) - 100, (TimeoutSeconds * 1000) + 3000);
        }
        if (fault == ReceiverFault.AnswersFiftyMegabytes)
        {
            // delivery.md: response bodies are read up to 64 KiB; the hub hung up long before 50 MB, and did not wait for them.
            Assert.Equal(0, broken.WholeAnswers);
            Assert.Equal(500, attempt.GetProperty("status_code").GetInt32());
            Assert.True(attempt.GetProperty("duration_ms").GetInt32() < TimeoutSeconds * 1000, "the 50 MB answer was read to the timeout");
        }
        if (fault is ReceiverFault.PresentsAWrongHostCertificate or ReceiverFault.PresentsAnExpiredCertificate)
        {
            Assert.Equal(0, broken.Requests);
        }
    }

    /// <summary>
    /// delivery.md, Concurrency: the events queued behind hanging requests must not take the room in
    /// memory (<c>Delivery:MaxEventsInMemory</c>, 1 000 here) that other callbacks' events need. Three
    /// callbacks hang for 10 s, each with its 16 requests in flight and hundreds of events behind them;
    /// the healthy one gets all of its events long before the first of those requests times out.
    /// </summary>
    [Fact]
    public async Task Events_queued_behind_hanging_callbacks_leave_room_in_memory_for_the_others()
    {
        await using var hub = await TestHub.StartAsync(null, "--Delivery:DefaultTimeoutSeconds=10", "--Delivery:RetrySchedule=1h", "--Delivery:MaxEventsInMemory=1000");
        await using var healthy = await Receiver.StartAsync();
        await using var first = FaultyReceiver.Start(ReceiverFault.Hangs);
        await using var second = FaultyReceiver.Start(ReceiverFault.Hangs);
        await using var third = FaultyReceiver.Start(ReceiverFault.Hangs);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        foreach (var hanging in new[] { first, second, third })
        {
            await ListenBehindTheApiAsync(hub, account, hanging.Url);
        }
        await ListenAsync(account, AccountBase, healthy.Url, [["call"]]);

        var clock = Stopwatch.StartNew();
        await ExpectAsync(await IngestBatchAsync(producer, Enumerable.Range(0, 500).Select(_ => ActivityOf(Call))), HttpStatusCode.Accepted);
        await healthy.WaitForEventsAsync(500, TimeSpan.FromSeconds(8));

        log.WriteLine($"the healthy callback had its 500 events {clock.ElapsedMilliseconds} ms after ingest, while {first.Requests + second.Requests + third.Requests} requests hung");
        Assert.Equal(48, first.Requests + second.Requests + third.Requests);
    }

    /// <summary>delivery.md: success is a 2xx; a body that breaks off after it does not undo the delivery.</summary>
    [Fact]
    public async Task A_2xx_whose_body_breaks_off_is_a_delivery()
    {
        await using var hub = await TestHub.StartAsync(null, $"--Delivery:DefaultTimeoutSeconds={TimeoutSeconds}", "--Delivery:RetrySchedule=1h");
        await using var broken = FaultyReceiver.Start(ReceiverFault.BreaksOffItsOk);
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var listener = await ListenBehindTheApiAsync(hub, account, broken.Url);

        await IngestAsync(producer, ActivityOf(Call));
        await DeliveryTests.WaitForStatusAsync(hub, "delivered", 1);

        var events = await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{listener}/events"), HttpStatusCode.OK);
        Assert.Equal(1, events.GetProperty("items")[0].GetProperty("attempts").GetInt32());
        Assert.Equal(1, broken.Requests);
    }

    /// <summary>
    /// The callback of a URL that broke after it was verified: stored behind the API's back (the
    /// API would refuse to create it, since its test request fails), with a listener on it.
    /// </summary>
    private static async Task<long> ListenBehindTheApiAsync(TestHub hub, HttpClient account, string url)
    {
        await using (var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None))
        {
            var config = JsonSerializer.SerializeToElement(new { url, method = "POST", headers = (object?)null, timeout = (int?)null });
            var callback = await CallbackTable.InsertAsync(db, new Callback(0, 1000002, null, null, "broken", null, true, "HTTP", config), CancellationToken.None);
            await hub.Services.GetRequiredService<ListenerIndex>().ChangedAsync(1000002, CancellationToken.None);
            var listener = await CreateAsync(account, $"{AccountBase}/listeners", $$"""{"callback_id": {{callback.Id}}}""");
            await CreateAsync(account, $"{AccountBase}/listeners/{listener}/subscriptions", """{":tags": ["call"]}""");
            return listener;
        }
    }

    private static async Task<int> AttemptsAsync(HttpClient account, long listener)
    {
        var page = await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{listener}/events?limit=100"), HttpStatusCode.OK);
        return page.GetProperty("items").EnumerateArray().Sum(e => e.GetProperty("attempts").GetInt32());
    }

    /// <summary>The first recorded attempt at the listener's callback, read from the delivery log API; waits up to 20 s for one.</summary>
    private static async Task<JsonElement> FirstAttemptAsync(HttpClient account, long listener)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var page = await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{listener}/events?limit=100"), HttpStatusCode.OK);
            var tried = page.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("attempts").GetInt32() > 0).ToList();
            if (tried.Count > 0)
            {
                var uuid = tried.OrderBy(e => e.GetProperty("last_attempt_at").GetString(), StringComparer.Ordinal).First().GetProperty("uuid").GetString();
                var detail = await ExpectAsync(await account.GetAsync($"{AccountBase}/listeners/{listener}/events/{uuid}"), HttpStatusCode.OK);
                Assert.Equal("pending", detail.GetProperty("status").GetString());
                return detail.GetProperty("attempts")[0];
            }
            Assert.True(DateTime.UtcNow < deadline, "no attempt at the broken receiver was recorded within 20 s");
            await Task.Delay(50);
        }
    }
}
