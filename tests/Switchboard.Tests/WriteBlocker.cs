using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Switchboard.Storage;

namespace Switchboard.Tests;

/// <summary>
/// A connection of the test's own to a hub's database, which can hold the hub's writes back, as a
/// slow disk or another long transaction would: SQLite's one write lock, or on PostgreSQL
/// exclusive locks on the outbox tables (reads still pass).
/// </summary>
internal sealed class WriteBlocker : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private DbTransaction? _transaction;

    private WriteBlocker(DbConnection connection) => _connection = connection;

    public static async Task<WriteBlocker> OpenAsync(string dataDirectory)
    {
        DbConnection connection = TestPostgres.DatabaseFor(dataDirectory) is { } postgres
            ? new NpgsqlConnection(postgres)
            : new SqliteConnection($"Data Source={Path.Combine(dataDirectory, SqliteHubDatabase.FileName)};Pooling=False");
        await connection.OpenAsync();
        return new WriteBlocker(connection);
    }

    public async Task<long> Int64Async(string sql)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>From now until <see cref="ReleaseAsync"/>, the hub's writes wait.</summary>
    public async Task HoldAsync()
    {
        if (_connection is SqliteConnection)
        {
            await using var begin = _connection.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
            return;
        }
        _transaction = await _connection.BeginTransactionAsync();
        await Int64Async("LOCK TABLE activities, open_activities, deliveries, attempts IN EXCLUSIVE MODE; SELECT 1");
    }

    public async Task ReleaseAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackAsync();
            _transaction = null;
            return;
        }
        await using var rollback = _connection.CreateCommand();
        rollback.CommandText = "ROLLBACK";
        await rollback.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }
        await _connection.DisposeAsync();
    }
}
