using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>
/// An account with many listeners: lists and reads answer the right rows, and the queries use the
/// indexes. How fast they answer is measured by a benchmark (docs/benchmarks.md), not here: a timed
/// unit test fails on a busy machine and passes on a slow query.
/// </summary>
public class ListingPerformanceTests
{
    private const int Listeners = 10_000;

    [Fact]
    public async Task The_first_page_of_10000_listeners_and_one_listener_answer_with_the_right_rows()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var callback = await CreateAsync(client, $"{AccountBase}/callbacks", """{"config": {"email": "a@example.org"}}""");
        await InsertListenersAsync(hub, callback);
        // Rows of another account after them, so the scope has something to skip.
        await InsertListenersAsync(hub, callback, voipId: 2000003);
        // The account's rows got ids 1…10 000 in insert order (row i has id i + 1); the other account's follow.
        var accountIds = Enumerable.Range(0, Listeners).Select(i => (long)i + 1).Reverse().ToList();
        var extensionIds = Enumerable.Range(0, Listeners).Where(i => ExtensionOf(i) == 7).Select(i => (long)i + 1).Reverse().ToList();

        var list = await ExpectAsync(await client.GetAsync($"{AccountBase}/listeners"), HttpStatusCode.OK);
        Assert.Equal(Listeners, list.GetProperty("total").GetInt64());
        Assert.Equal(25, list.GetProperty("limit").GetInt32());
        Assert.Equal(accountIds.Take(25), list.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetInt64()));
        Assert.All(list.GetProperty("items").EnumerateArray(), item => Assert.Equal(1000002, item.GetProperty("voip_id").GetInt64()));
        var first = list.GetProperty("items")[0];
        Assert.Equal(Listeners, first.GetProperty("id").GetInt64());
        Assert.Equal(callback, first.GetProperty("callback_id").GetInt64());
        Assert.Equal(ExtensionOf(Listeners - 1), ExtensionIdOf(first));

        var one = await ExpectAsync(await client.GetAsync($"{AccountBase}/listeners/{Listeners / 2}"), HttpStatusCode.OK);
        Assert.Equal(Listeners / 2, one.GetProperty("id").GetInt64());
        Assert.Equal(1000002, one.GetProperty("voip_id").GetInt64());
        Assert.Equal(ExtensionOf(Listeners / 2 - 1), ExtensionIdOf(one));
        Assert.Equal("2.0.0", one.GetProperty("version").GetString());

        var extension = await ExpectAsync(await client.GetAsync("/v4/accounts/1000002/extensions/7/integrations/events/listeners"), HttpStatusCode.OK);
        Assert.Equal(extensionIds.Count, extension.GetProperty("total").GetInt64());
        Assert.Equal(extensionIds.Take(25), extension.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetInt64()));
        Assert.All(extension.GetProperty("items").EnumerateArray(), item => Assert.Equal(7, item.GetProperty("extension_id").GetInt64()));

        // The other account's rows exist, and stay out of this account's answers.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{AccountBase}/listeners/{Listeners + 1}")).StatusCode);
    }

    [SqliteTheory]
    [InlineData("SELECT id FROM listeners WHERE voip_id = 1 ORDER BY id DESC LIMIT 25")]
    [InlineData("SELECT COUNT(*) FROM listeners WHERE voip_id = 1")]
    [InlineData("SELECT id FROM listeners WHERE voip_id = 1 AND extension_id = 2 ORDER BY id DESC LIMIT 25")]
    [InlineData("SELECT id FROM callbacks WHERE voip_id = 1 ORDER BY id DESC LIMIT 25")]
    [InlineData("SELECT id FROM profiles WHERE voip_id = 1 ORDER BY id DESC LIMIT 25")]
    [InlineData("SELECT COUNT(*) FROM listeners WHERE callback_id = 1")]
    [InlineData("SELECT COUNT(*) FROM callbacks WHERE fallback_callback_id = 1")]
    [InlineData("SELECT COUNT(*) FROM callbacks WHERE profile_id = 1")]
    [InlineData("SELECT id FROM subscriptions WHERE listener_id = 1 ORDER BY id")]
    [InlineData("SELECT id FROM filters WHERE listener_id = 1 ORDER BY id")]
    public async Task List_and_in_use_queries_search_an_index_instead_of_scanning(string sql)
    {
        await using var hub = await TestHub.StartAsync();
        var plan = await QueryPlanAsync(hub, sql);

        Assert.Contains(plan, step => step.Contains("USING", StringComparison.Ordinal) && step.Contains("INDEX", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !step.Contains("INDEX", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    /// <summary>Where the i-th inserted listener of an account belongs: a third at account level, the rest spread over extensions 0–49.</summary>
    private static long? ExtensionOf(int i) => i % 3 == 0 ? null : i % 50;

    private static long? ExtensionIdOf(JsonElement listener) =>
        listener.GetProperty("extension_id") is { ValueKind: JsonValueKind.Number } id ? id.GetInt64() : null;

    private static async Task InsertListenersAsync(TestHub hub, long callbackId, long voipId = 1000002)
    {
        await using var db = await hub.Services.GetRequiredService<HubDatabase>().ConnectAsync(CancellationToken.None);
        await db.BeginAsync(CancellationToken.None);
        await using var command = db.Command("INSERT INTO listeners (voip_id, extension_id, version, callback_id, created_at) VALUES (@v, @e, '2.0.0', @c, 1700000000)")
            .With("@v", voipId).With("@e", 0L).With("@c", callbackId);
        for (var i = 0; i < Listeners; i++)
        {
            command.Parameters[1].Value = ExtensionOf(i) is { } e ? e : DBNull.Value;
            await command.ExecuteNonQueryAsync();
        }
        await db.CommitAsync(CancellationToken.None);
    }

    /// <summary>The steps SQLite's EXPLAIN QUERY PLAN gives for <paramref name="sql"/> on the hub's database.</summary>
    internal static async Task<List<string>> QueryPlanAsync(TestHub hub, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(hub.DataDirectory, SqliteHubDatabase.FileName)}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }
        return plan;
    }
}
