using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Switchboard.Events.AspNetCore.Tests;

/// <summary>Requests as the hub sends them (delivery.md, HTTP callbacks), built from the conformance fixtures.</summary>
internal static class Deliveries
{
    public const string CallConnected = "inbound-call-to-device/5-2nd-leg-connected.json";
    public const string Message = "message.json";

    /// <summary>The hub's verification request body (api.md, Callbacks, Verification).</summary>
    public const string VerificationBody = """{"test": 1}""";

    /// <summary>A fixture event as text, with another <c>uuid</c> when given.</summary>
    public static string Fixture(string name, string? uuid = null)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "events", name));
        if (uuid is null)
        {
            return text;
        }
        var node = JsonNode.Parse(text)!.AsObject();
        node["uuid"] = uuid;
        return node.ToJsonString();
    }

    public static string NewUuid() => Guid.CreateVersion7().ToString();

    /// <summary>A POST of <paramref name="json"/> signed with <paramref name="secret"/> at <paramref name="at"/>.</summary>
    public static HttpRequestMessage Signed(string json, string secret, DateTimeOffset at, string? id = null)
    {
        var request = Unsigned(json, id);
        var timestamp = at.ToUnixTimeSeconds();
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new WebhookSignature(secret).Sign(request.Headers.GetValues("webhook-id").Single(), timestamp, json));
        return request;
    }

    /// <summary>A POST of <paramref name="json"/> with a <c>webhook-id</c> and nothing else.</summary>
    public static HttpRequestMessage Unsigned(string json, string? id = null) => new(HttpMethod.Post, "/hook")
    {
        Content = new StringContent(json, Encoding.UTF8, "application/json"),
        Headers = { { "webhook-id", id ?? IdOf(json) } },
    };

    private static string IdOf(string json) =>
        JsonNode.Parse(json) is JsonObject o && o["uuid"] is { } uuid ? uuid.GetValue<string>() : "test_" + Guid.NewGuid().ToString("N");

    public static async Task<(int Status, string Text)> SendAsync(this WebhookApp app, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await app.Http.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }
}
