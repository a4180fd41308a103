using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>Lists and reads stay fast for an account with many listeners: the queries use the indexes.</summary>
public class ListingPerformanceTests
{
    private const int Listeners = 10_000;

    [Fact]
    public async Task The_first_page_of_10000_listeners_and_one_listener_answer_well_under_5_ms()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var callback = await CreateAsync(client, $"{AccountBase}/callbacks", """{"config": {"email": "a@example.org"}}""");
        await InsertListenersAsync(hub, callback);
        // Rows of other accounts and extensions around them, so the scope has something to skip.
        await InsertListenersAsync(hub, callback, voipId: 2000003);

        var list = await TimeAsync(client, $"{AccountBase}/listeners");
        var one = await TimeAsync(client, $"{AccountBase}/listeners/{Listeners / 2}");
        var extension = await TimeAsync(client, $"/v4/accounts/1000002/extensions/7/integrations/events/listeners");

        Assert.True(list < TimeSpan.FromMilliseconds(5), $"list: {list.TotalMilliseconds} ms");
        Assert.True(one < TimeSpan.FromMilliseconds(5), $"get: {one.TotalMilliseconds} ms");
        Assert.True(extension < TimeSpan.FromMilliseconds(5), $"extension list: {extension.TotalMilliseconds} ms");
        var page = await BodyAsync(await client.GetAsync($"{AccountBase}/listeners"));
        Assert.Equal(Listeners, page.GetProperty("total").GetInt64());
        Assert.Equal(Listeners, page.GetProperty("items")[0].GetProperty("id").GetInt64());
    }

    [Theory]
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
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(hub.DataDirectory, SqliteHubDatabase.FileName)}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Contains(plan, step => step.Contains("USING", StringComparison.Ordinal) && step.Contains("INDEX", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !step.Contains("INDEX", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    /// <summary>The median of 30 timed requests, after a warm-up, so one slow scheduling slice does not decide.</summary>
    private static async Task<TimeSpan> TimeAsync(HttpClient client, string path)
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        var times = new List<TimeSpan>();
        for (var i = 0; i < 30; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await client.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            times.Add(watch.Elapsed);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static async Task InsertListenersAsync(TestHub hub, long callbackId, long voipId = 1000002)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(hub.DataDirectory, SqliteHubDatabase.FileName)}");
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO listeners (voip_id, extension_id, version, callback_id, created_at) VALUES (@v, @e, '2.0.0', @c, 1700000000)";
        var extension = command.Parameters.Add("@e", SqliteType.Integer);
        command.Parameters.AddWithValue("@v", voipId);
        command.Parameters.AddWithValue("@c", callbackId);
        for (var i = 0; i < Listeners; i++)
        {
            extension.Value = i % 3 == 0 ? DBNull.Value : i % 50;
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }
}
