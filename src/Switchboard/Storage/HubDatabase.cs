using System.Data.Common;
using System.Reflection;

namespace Switchboard.Storage;

/// <summary>
/// The storage seam: how to open a connection and which SQL dialect bits differ. Everything
/// else — schema, migrations, queries — is portable SQL shared by every backend. SQLite is the
/// embedded default; a PostgreSQL backend fills the same seam for multi-node deployments.
/// </summary>
internal abstract class HubDatabase : IAsyncDisposable
{
    /// <summary>Where the data lives, for logs (a file path or a server, never a password).</summary>
    public abstract string Description { get; }

    /// <summary>Whether other processes (nodes) may write the same data: then what one node holds in memory can be out of date.</summary>
    public virtual bool SharedByNodes => false;

    /// <summary>
    /// Whether writers take turns: SQLite has one write lock, so its batch writers wait for each
    /// other in order; PostgreSQL locks rows, so the ingest and outcome turns run side by side
    /// and an activity's acknowledgement never waits behind a turn of outcomes.
    /// </summary>
    public virtual bool OneWriterAtATime => true;

    /// <summary>True when <paramref name="exception"/> says another transaction conflicted with this one, which was rolled back and may simply be run again.</summary>
    public virtual bool IsConflict(DbException exception) => false;

    /// <summary>
    /// True when <paramref name="exception"/> says storage cannot be used for now (the server is
    /// unreachable or restarting, the disk is full) rather than that the statement is wrong: the
    /// same request may succeed later, so the API answers 503 with Retry-After.
    /// </summary>
    public abstract bool IsUnavailable(DbException exception);

    // A piece of work rolled back by a conflicting transaction of another node is run again up to this often.
    private const int MaxConflictRetries = 10;

    /// <summary>
    /// Runs <paramref name="work"/>, and again (after <paramref name="beforeRetry"/>) each time a
    /// conflicting transaction rolled it back (<see cref="IsConflict"/>), up to 10 times; whether it
    /// may run again is also for <paramref name="canRetry"/> to say. Each retry waits a random
    /// while, longer each time (up to about 0.3 s): transactions that conflicted together and
    /// started again together would conflict again.
    /// </summary>
    public async Task<T> RetryOnConflictAsync<T>(Func<Task<T>> work, Func<bool>? canRetry = null, Action? beforeRetry = null)
    {
        for (var conflicts = 0; ; conflicts++)
        {
            try
            {
                return await work();
            }
            catch (DbException e) when (IsConflict(e) && conflicts < MaxConflictRetries && (canRetry?.Invoke() ?? true))
            {
                await Task.Delay(Random.Shared.Next(1, 5 << Math.Min(conflicts, 6)));
                beforeRetry?.Invoke();
            }
        }
    }

    /// <summary>
    /// Tells the other nodes <paramref name="notice"/> (a <c>ClusterNotice</c>) when the connection's
    /// transaction commits, at once outside one; nothing where no other node shares the data.
    /// </summary>
    public virtual Task NotifyAsync(HubConnection db, string notice, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Hands every notice the other nodes send to <paramref name="heard"/> until cancelled, or
    /// throws when the connection it listens on fails; where no other node shares the data there
    /// is nothing to hear.
    /// </summary>
    public virtual Task ListenAsync(Action<string> heard, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    /// <summary>Round trips to a database server since the process started (metrics), or null where storage is in-process.</summary>
    public virtual long? RoundTrips => null;

    /// <summary>Which SQL dialect: a migration <c>NNNN_name.{Dialect}.sql</c> replaces <c>NNNN_name.sql</c> for it.</summary>
    public virtual string Dialect => "sqlite";

    /// <summary>PostgreSQL when a connection string is given (scaling.md), else SQLite in <paramref name="dataDirectory"/>.</summary>
    public static HubDatabase For(string dataDirectory, string? postgres) =>
        string.IsNullOrWhiteSpace(postgres) ? new SqliteHubDatabase(dataDirectory) : new PostgresHubDatabase(postgres);

    /// <summary>
    /// Held while a process starts (migrations, the first operator token), so that of several
    /// nodes starting together on one database only one does each. One process per SQLite file.
    /// </summary>
    public virtual Task<IAsyncDisposable> StartUpAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable>(NothingHeld.Instance);

    // The background batch writers' turn for the write lock (WriterTurnAsync).
    private readonly SemaphoreSlim _writerTurn = new(1, 1);

    /// <summary>The column type of an auto-allocated integer primary key.</summary>
    protected abstract string IdColumn { get; }

    /// <summary>
    /// The statement that relaxes a connection's later commits: they become durable with the next
    /// durable commit or checkpoint rather than before they return, so a power cut may lose the
    /// last ones, never corrupt anything. Connections open with durable commits.
    /// </summary>
    protected abstract string RelaxedCommitsSql { get; }

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>An open connection for the resource tables (<see cref="HubConnection"/>).</summary>
    public async Task<HubConnection> ConnectAsync(CancellationToken cancellationToken) =>
        new(await OpenAsync(cancellationToken));

    /// <summary>
    /// Waits for the background batch writers' turn (the OutboxWriter, retention) and opens the
    /// connection to write on; disposing the turn closes it and ends the turn. Turns come in order:
    /// SQLite has one write lock, and a writer waiting for it sleeps and polls (up to 100 ms a
    /// time), so a writer that always had work took it back again and again while the other slept. <paramref name="durable"/> false relaxes the turn's commits,
    /// for what may be lost to a power cut and done again, such as delivery outcomes under
    /// at-least-once delivery.
    /// </summary>
    public async Task<WriterTurn> WriterTurnAsync(bool durable, CancellationToken cancellationToken)
    {
        var turn = OneWriterAtATime ? _writerTurn : null;
        if (turn is not null)
        {
            await turn.WaitAsync(cancellationToken);
        }
        HubConnection? db = null;
        try
        {
            db = await ConnectAsync(cancellationToken);
            if (!durable)
            {
                await HubConnection.ExecuteAsync(db.Command(RelaxedCommitsSql), cancellationToken);
            }
            return new WriterTurn(db, turn);
        }
        catch
        {
            if (db is not null)
            {
                await db.DisposeAsync();
            }
            turn?.Release();
            throw;
        }
    }

    /// <summary>Applies every migration newer than the stored schema version (up to <paramref name="upTo"/>, for tests of an upgrade), each in its own transaction.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken, int upTo = int.MaxValue)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", cancellationToken);
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
            var current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (version, sql) in Migrations().Where(m => m.Version > current && m.Version <= upTo))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, sql.Replace("{{id}}", IdColumn, StringComparison.Ordinal), cancellationToken);
                await ExecuteAsync(connection, transaction, $"INSERT INTO schema_version (version) VALUES ({version})", cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }
    }

    /// <summary>True when the database answers a trivial query.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            return await command.ExecuteScalarAsync(cancellationToken) is not null;
        }
        catch (DbException)
        {
            return false;
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The embedded Storage/Migrations/NNNN_name.sql files, by version, each replaced by its NNNN_name.{Dialect}.sql where there is one.</summary>
    private IEnumerable<(int Version, string Sql)> Migrations()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[(n.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..^".sql".Length];
                var dot = file.IndexOf('.', StringComparison.Ordinal);
                return (Name: n, Version: int.Parse(file.AsSpan(0, file.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture), Dialect: dot < 0 ? null : file[(dot + 1)..]);
            })
            .Where(m => m.Dialect is null || m.Dialect == Dialect)
            .GroupBy(m => m.Version)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var chosen = g.OrderBy(m => m.Dialect is null).First();
                using var reader = new StreamReader(assembly.GetManifestResourceStream(chosen.Name)!);
                return (g.Key, reader.ReadToEnd());
            });
    }

    /// <summary>Closes what the backend keeps open between uses (PostgreSQL: its pool of connections).</summary>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class NothingHeld : IAsyncDisposable
    {
        public static readonly NothingHeld Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
