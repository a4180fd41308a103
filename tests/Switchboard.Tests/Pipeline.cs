using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>Helpers for tests of the pipeline: activities from the fixtures, ingest, listeners made by express create.</summary>
internal static class Pipeline
{
    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "events", name);

    /// <summary>The fixture event as the platform would have reported it: an activity (ingest.md) of its data.</summary>
    public static JsonObject ActivityOf(string fixture, long? voipId = null)
    {
        var fixtureEvent = JsonNode.Parse(File.ReadAllText(FixturePath(fixture)))!.AsObject();
        return new JsonObject
        {
            ["voip_id"] = voipId ?? fixtureEvent["context"]!["voip_id"]!.GetValue<long>(),
            ["data_type"] = fixtureEvent["data_type"]!.DeepClone(),
            ["data_object_uuid"] = fixtureEvent["data_object_uuid"]!.DeepClone(),
            ["timestamp_ns"] = fixtureEvent["timestamp_ns"]!.DeepClone(),
            ["data"] = fixtureEvent["data"]!.DeepClone(),
        };
    }

    /// <summary>Ingests one activity as JSON; asserts 202 and returns the answer.</summary>
    public static async Task<JsonElement> IngestAsync(HttpClient operatorClient, JsonObject activity) =>
        await ExpectAsync(await operatorClient.PostAsync("/v4/ingest", Json(activity.ToJsonString())), HttpStatusCode.Accepted);

    /// <summary>Ingests activities as one NDJSON batch.</summary>
    public static Task<HttpResponseMessage> IngestBatchAsync(HttpClient operatorClient, IEnumerable<JsonObject> activities) =>
        operatorClient.PostAsync("/v4/ingest", new StringContent(string.Join('\n', activities.Select(a => a.ToJsonString())), Encoding.UTF8, "application/x-ndjson"));

    /// <summary>Creates callback, listener and subscriptions in one express create; returns the overview item.</summary>
    public static async Task<JsonElement> ListenAsync(HttpClient client, string baseUrl, string callbackUrl, string[][] subscriptions, string? filters = null, string? callbackExtra = null, string? listenerExtra = null, string? callbackFields = null)
    {
        var tags = string.Join(", ", subscriptions.Select(t => "{\":tags\": " + JsonSerializer.Serialize(t) + "}"));
        var filterPart = filters is null ? "" : ", \":filters\": " + filters;
        var body = "{\":callback\": {\"config\": {\"url\": \"" + callbackUrl + "\"" + callbackExtra + "}" + callbackFields + "}, \":subscriptions\": [" + tags + "]" + filterPart + listenerExtra + "}";
        return await ExpectAsync(await client.PostAsync($"{baseUrl}/overview", Json(body)), HttpStatusCode.Created);
    }

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
