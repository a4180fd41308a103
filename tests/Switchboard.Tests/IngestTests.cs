using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.MatchingTests;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary><c>POST /v4/ingest</c> (ingest.md): who may call it, what it accepts, and that a bad batch stores nothing.</summary>
public class IngestTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private readonly TestHub _hub = shared.Hub;

    [Fact]
    public async Task Only_operator_tokens_may_ingest()
    {
        using var account = await _hub.ClientAsync(TokenScope.Account, 1000002);
        var activity = Json(ActivityOf("call-log.json").ToJsonString());

        await ErrorAsync(await _hub.Http.PostAsync("/v4/ingest", activity), HttpStatusCode.Unauthorized);
        await ErrorAsync(await account.PostAsync("/v4/ingest", activity), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_batch_with_one_bad_line_is_refused_whole_naming_the_line_and_path()
    {
        var hub = await TestHub.StartAsync();
        await using var _ = hub;
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var bad = ActivityOf("inbound-call-to-device/2-1st-leg-connecting.json");
        bad["data"]!["event_leg"]!["state"] = "ringing";

        var response = await IngestBatchAsync(producer, [ActivityOf("call-log.json"), ActivityOf("message.json"), bad]);

        await FieldErrorAsync(response, "line 3: data.event_leg.state");
        Assert.Equal(0, await EventCountAsync(hub));
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        Assert.Equal(0, await HubConnection.Int64Async(db.Command("SELECT COUNT(*) FROM activities"), CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"data_type": "call-log", "data": {}}""", "voip_id")]
    [InlineData("""{"voip_id": "1000002", "data_type": "call-log", "data": {}}""", "voip_id")]
    [InlineData("""{"voip_id": 1000002, "data_type": "fax", "data": {}}""", "data_type")]
    [InlineData("""{"voip_id": 1000002, "data_type": "listener-callback", "data": {}}""", "data_type")]
    [InlineData("""{"voip_id": 1000002, "data_type": "call-log"}""", "data")]
    [InlineData("""{"voip_id": 1000002, "data_type": "call-log", "data": []}""", "data")]
    [InlineData("""{"voip_id": 1000002, "data_type": "call-log", "data": {}, "tags": ["call"]}""", "tags")]
    [InlineData("""{"voip_id": 1000002, "data_type": "call-log", "data": {}, "extension_ids": [0]}""", "extension_ids[0]")]
    [InlineData("""{"voip_id": 1000002, "data_type": "call-log", "data": {}, "timestamp_ns": -1}""", "timestamp_ns")]
    [InlineData("""{"voip_id": 1000002, "data_type": "call-log", "data": {}, "idempotency_key": ""}""", "idempotency_key")]
    public async Task Bad_activities_are_422_naming_the_field(string body, string field)
    {
        using var producer = await _hub.ClientAsync(TokenScope.Operator);

        await FieldErrorAsync(await producer.PostAsync("/v4/ingest", Json(body)), field);
    }

    [Fact]
    public async Task An_api_error_without_uuid_needs_a_data_object_uuid()
    {
        using var producer = await _hub.ClientAsync(TokenScope.Operator);
        var activity = ActivityOf("api-error.json");
        activity.Remove("data_object_uuid");

        await FieldErrorAsync(await producer.PostAsync("/v4/ingest", Json(activity.ToJsonString())), "data_object_uuid");
        activity["data_object_uuid"] = "e-1";
        await IngestAsync(producer, activity);
    }

    [Theory]
    [InlineData("application/json", "not json", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "[1, 2]", HttpStatusCode.BadRequest)]
    [InlineData("text/plain", "{}", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/x-ndjson", "\n\n", HttpStatusCode.BadRequest)]
    [InlineData("application/x-ndjson", "{\"voip_id\": 1}\nnot json", HttpStatusCode.UnprocessableEntity)]
    public async Task Malformed_bodies_get_the_error_envelope(string contentType, string body, HttpStatusCode status)
    {
        using var producer = await _hub.ClientAsync(TokenScope.Operator);

        await ErrorAsync(await producer.PostAsync("/v4/ingest", new StringContent(body, Encoding.UTF8, contentType)), status);
    }

    [Fact]
    public async Task Batches_over_the_line_limit_are_413_and_bodies_over_the_management_limit_are_fine()
    {
        await using var hub = await TestHub.StartAsync(null, "--Ingest:MaxLines=3");
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        var big = ActivityOf("call-log.json");
        big["data"]!["padding"] = new string('x', 100_000); // over the API's 64 KiB, under ingest's 16 MiB

        await ErrorAsync(await IngestBatchAsync(producer, Enumerable.Range(0, 4).Select(_ => ActivityOf("call-log.json"))), HttpStatusCode.RequestEntityTooLarge);
        var answer = await ExpectAsync(await IngestBatchAsync(producer, [big, ActivityOf("call-log.json")]), HttpStatusCode.Accepted);
        Assert.Equal(2, answer.GetProperty("accepted").GetInt32());
        Assert.Equal("ok", (await BodyAsync(await hub.Http.GetAsync("/healthz"))).GetProperty("status").GetString());
    }
}
