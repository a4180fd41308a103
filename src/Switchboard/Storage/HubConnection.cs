using System.Data.Common;
using System.Globalization;

namespace Switchboard.Storage;

/// <summary>
/// One open connection, optionally inside a transaction that every command it makes joins
/// (SQLite refuses commands that forget the transaction; PostgreSQL would silently run them
/// outside it). Handlers open one per request; an express create runs in one transaction.
/// </summary>
internal sealed class HubConnection(DbConnection connection) : IAsyncDisposable
{
    private DbTransaction? _transaction;

    public DbCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        return command;
    }

    /// <summary>
    /// A batch of statements sent in one round trip, in the open transaction; null where the
    /// provider has none (SQLite, where each statement is a call within the process anyway).
    /// </summary>
    public DbBatch? Batch()
    {
        if (!connection.CanCreateBatch)
        {
            return null;
        }
        var batch = connection.CreateBatch();
        batch.Transaction = _transaction;
        return batch;
    }

    /// <summary>Starts a write transaction (SQLite: BEGIN IMMEDIATE, so reads inside it see what it will write over).</summary>
    public async Task BeginAsync(CancellationToken cancellationToken) =>
        _transaction = await connection.BeginTransactionAsync(cancellationToken);

    /// <summary>
    /// Starts a write transaction that checks what it reads and then writes as if no other ran
    /// beside it (SQLite's one writer does that anyway; PostgreSQL rolls one of two conflicting
    /// transactions back, and the request is run again): a listener created on a callback
    /// another node deletes, two changes that together make a fallback loop.
    /// </summary>
    public async Task BeginSerializableAsync(CancellationToken cancellationToken) =>
        _transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _transaction!.CommitAsync(cancellationToken);
        await _transaction.DisposeAsync();
        _transaction = null;
    }

    /// <summary>The first row read by <paramref name="read"/>, or null. Disposes the command.</summary>
    public static async Task<T?> FirstOrDefaultAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? read(reader) : null;
        }
    }

    /// <summary>Every row, read by <paramref name="read"/>. Disposes the command.</summary>
    public static async Task<List<T>> ListAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }
            return rows;
        }
    }

    /// <summary>The single integer a query answers (a count, an id). Disposes the command.</summary>
    public static async Task<long> Int64Async(DbCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Runs a statement; the number of rows it changed. Disposes the command.</summary>
    public static async Task<int> ExecuteAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            // Not committed: an error on the way rolls everything back (overview express create).
            await _transaction.DisposeAsync();
        }
        await connection.DisposeAsync();
    }
}
