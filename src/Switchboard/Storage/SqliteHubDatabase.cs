using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Switchboard.Storage;

/// <summary>The embedded backend: one SQLite file in the data directory, in WAL mode.</summary>
internal sealed class SqliteHubDatabase : HubDatabase
{
    public const string FileName = "switchboard.db";

    private readonly string _connectionString;

    // Callback secrets and header credentials are stored in the clear: only the hub's own user may read them.
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public SqliteHubDatabase(string dataDirectory)
    {
        Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDirectory, FileName));
        CreateOwnerOnly(dataDirectory, Path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // WAL is a property of the file: set once, it holds for every later connection.
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    public string Path { get; }

    /// <summary>
    /// The folder and an empty database file, made before SQLite would make them with the umask's
    /// permissions (often world-readable). SQLite gives the -wal and -shm files the database
    /// file's permissions, so they follow. Folders and files that exist are left as they are.
    /// </summary>
    private static void CreateOwnerOnly(string dataDirectory, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
            return;
        }
        Directory.CreateDirectory(dataDirectory, OwnerOnlyFolder);
        try
        {
            using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Made before: an existing database keeps the permissions its operator gave it.
        }
    }

    public override string Description => Path;

    // SQLITE_BUSY, SQLITE_LOCKED (another writer held on past the busy timeout), SQLITE_NOMEM,
    // SQLITE_IOERR, SQLITE_FULL (the disk is full), SQLITE_CANTOPEN.
    public override bool IsUnavailable(DbException exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 or 7 or 10 or 13 or 14 };

    protected override string IdColumn => "INTEGER PRIMARY KEY AUTOINCREMENT";

    // In WAL mode NORMAL skips the fsync of each commit; the next FULL commit or checkpoint
    // syncs the log up to it, as the log is written in order. Every open sets FULL again, so a
    // pooled connection does not carry NORMAL over to its next user.
    protected override string RelaxedCommitsSql => "PRAGMA synchronous=NORMAL";

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // FULL: a write acknowledged to a client survives a power loss (README.md of the spec, "never lost").
        // cache_size: outcomes add to every active listener's end of deliveries, a page per
        // listener; the default 2 MiB cache (500 pages) could not hold a thousand listeners' pages,
        // and the misses and spills cost ingest half its throughput (docs/benchmarks.md). Pages are
        // allocated as used, so idle connections stay small. wal_autocheckpoint: such a page changes
        // in every outcome turn but is copied into the database once per checkpoint, so fewer,
        // larger checkpoints copy it less often (docs/benchmarks.md).
        command.CommandText = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=10000;";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
