using Switchboard.Storage;

namespace Switchboard.Tests;

/// <summary>The batch writers' turn on the SQLite file: one at a time, durable or relaxed commits, nothing half-written left behind.</summary>
public sealed class WriterTurnTests : IDisposable
{
    // SQLite's PRAGMA synchronous values.
    private const long Normal = 1;
    private const long Full = 2;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteHubDatabase _database;

    public WriterTurnTests()
    {
        _database = new SqliteHubDatabase(_folder);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_relaxed_turn_commits_without_fsync_and_the_connection_is_durable_again_for_everyone_after_it()
    {
        await using (var relaxed = await _database.WriterTurnAsync(durable: false, CancellationToken.None))
        {
            Assert.Equal(Normal, await SynchronousAsync(relaxed.Db));
        }
        // Pooled: the next open may get the very connection back, and must not inherit NORMAL.
        await using (var db = await _database.ConnectAsync(CancellationToken.None))
        {
            Assert.Equal(Full, await SynchronousAsync(db));
        }
        await using (var durable = await _database.WriterTurnAsync(durable: true, CancellationToken.None))
        {
            Assert.Equal(Full, await SynchronousAsync(durable.Db));
        }
    }

    [Fact]
    public async Task A_second_turn_waits_until_the_first_ends()
    {
        var first = await _database.WriterTurnAsync(durable: true, CancellationToken.None);
        var second = _database.WriterTurnAsync(durable: false, CancellationToken.None);
        await Task.Delay(100);
        Assert.False(second.IsCompleted);

        await first.DisposeAsync();
        await using var taken = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Normal, await SynchronousAsync(taken.Db));
    }

    [Fact]
    public async Task What_a_turn_leaves_uncommitted_is_rolled_back_and_the_next_turn_can_write()
    {
        await using (var setup = await _database.ConnectAsync(CancellationToken.None))
        {
            await HubConnection.ExecuteAsync(setup.Command("CREATE TABLE t (x INTEGER)"), CancellationToken.None);
        }
        await using (var failed = await _database.WriterTurnAsync(durable: true, CancellationToken.None))
        {
            await failed.Db.BeginAsync(CancellationToken.None);
            await HubConnection.ExecuteAsync(failed.Db.Command("INSERT INTO t VALUES (1)"), CancellationToken.None);
        }
        await using (var next = await _database.WriterTurnAsync(durable: true, CancellationToken.None))
        {
            await next.Db.BeginAsync(CancellationToken.None);
            await HubConnection.ExecuteAsync(next.Db.Command("INSERT INTO t VALUES (2)"), CancellationToken.None);
            await next.Db.CommitAsync(CancellationToken.None);
        }

        await using var check = await _database.ConnectAsync(CancellationToken.None);
        Assert.Equal(2, await HubConnection.Int64Async(check.Command("SELECT group_concat(x) FROM t"), CancellationToken.None));
    }

    private static Task<long> SynchronousAsync(HubConnection db) => HubConnection.Int64Async(db.Command("PRAGMA synchronous"), CancellationToken.None);
}
