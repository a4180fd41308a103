using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>An attempt as the delivery log holds it.</summary>
internal sealed record LoggedAttempt(long ListenerId, long ActivityId, long CallbackId, string? Url, int? StatusCode, string? Error);

/// <summary>Helpers for e-mail and application delivery tests: listeners on any callback, and what the outbox recorded.</summary>
internal static class Outbox
{
    /// <summary>Express-creates a listener on the inline callback <paramref name="callbackJson"/> subscribed to <paramref name="tags"/>; returns the overview item.</summary>
    public static async Task<JsonElement> ListenWithAsync(HttpClient client, string callbackJson, params string[] tags)
    {
        var body = $$"""{":callback": {{callbackJson}}, ":subscriptions": [{":tags": {{JsonSerializer.Serialize(tags)}}}]}""";
        return await ExpectAsync(await client.PostAsync($"{AccountBase}/overview", Json(body)), HttpStatusCode.Created);
    }

    public static long ListenerId(JsonElement item) => item.GetProperty("id").GetInt64();

    public static long CallbackId(JsonElement item) => item.GetProperty(":callback").GetProperty("id").GetInt64();

    public static async Task<List<LoggedAttempt>> AttemptsAsync(TestHub hub)
    {
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        return await HubConnection.ListAsync(
            db.Command($"SELECT listener_id, activity_id, callback_id, url, status_code, error FROM ({AllAttempts}) logged ORDER BY at, kind, id"),
            r => new LoggedAttempt(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetNullableString(3), r.IsDBNull(4) ? null : r.GetInt32(4), r.GetNullableString(5)),
            CancellationToken.None);
    }

    /// <summary>
    /// Every attempt as a table: those kept in attempts (failed ones, and successful ones a
    /// redelivery moved there) and the successful last attempts kept in deliveries rows.
    /// </summary>
    public const string AllAttempts = """
        SELECT listener_id, activity_id, callback_id, at, url, status_code, error, 0 AS kind, id FROM attempts
        UNION ALL
        SELECT listener_id, activity_id, callback_id, last_attempt_at, url, status_code, NULL, 1, 0 FROM deliveries WHERE duration_ms IS NOT NULL
        """;

    /// <summary>Waits until the delivery log has at least <paramref name="count"/> attempts.</summary>
    public static async Task<List<LoggedAttempt>> WaitForAttemptsAsync(TestHub hub, int count, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var attempts = await AttemptsAsync(hub);
            if (attempts.Count >= count)
            {
                return attempts;
            }
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} attempts were recorded");
            await Task.Delay(25);
        }
    }

    /// <summary>The owner notifications recorded, oldest first: kind and whether they were sent.</summary>
    public static async Task<List<(string Kind, bool Sent)>> NotificationsAsync(TestHub hub)
    {
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        return await HubConnection.ListAsync(
            db.Command("SELECT kind, sent_at FROM notifications ORDER BY id"), r => (r.GetString(0), !r.IsDBNull(1)), CancellationToken.None);
    }

    public static async Task WaitForNotificationsSentAsync(TestHub hub, int count, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while ((await NotificationsAsync(hub)).Count(n => n.Sent) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} notifications were marked sent");
            await Task.Delay(25);
        }
    }
}
