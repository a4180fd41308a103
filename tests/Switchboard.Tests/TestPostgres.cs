using System.Diagnostics;
using Npgsql;

namespace Switchboard.Tests;

/// <summary>
/// The backend the tests run on: SQLite, or PostgreSQL when SWITCHBOARD_TEST_STORAGE=postgres.
/// Then the tests start a throwaway PostgreSQL cluster of their own (Debian's postgresql
/// package: initdb into a temporary folder, a free port on 127.0.0.1, as the postgres user when
/// run as root), give each hub a database of its own, and stop the cluster when they end.
/// </summary>
internal static class TestPostgres
{
    private static readonly Lazy<PostgresCluster> Shared = new(() =>
    {
        var cluster = PostgresCluster.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        return cluster;
    });
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Databases = new();

    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_STORAGE") == "postgres";

    /// <summary>A connection string to a new, empty database, or null on SQLite.</summary>
    public static string? NewDatabase()
    {
        if (!Enabled)
        {
            return null;
        }
        return Shared.Value.NewDatabase();
    }

    /// <summary>
    /// The database that stands for <paramref name="dataDirectory"/> (made on first use), or null on
    /// SQLite: a hub or command pointed at the same folder again finds the same data.
    /// </summary>
    public static string? DatabaseFor(string dataDirectory) =>
        Enabled ? Databases.GetOrAdd(Path.GetFullPath(dataDirectory), _ => NewDatabase()!) : null;

    /// <summary>
    /// The arguments that add the database for a <c>--data-dir</c> among <paramref name="args"/> of a
    /// <c>switchboard</c> command, unless they name a <c>--postgres</c> database of their own.
    /// </summary>
    public static string[] WithDatabase(string[] args)
    {
        var at = Array.IndexOf(args, "--data-dir");
        return at >= 0 && at + 1 < args.Length && !args.Contains("--postgres") && DatabaseFor(args[at + 1]) is { } connection ? [.. args, "--postgres", connection] : args;
    }

    /// <summary>
    /// A throwaway PostgreSQL server: the one the tests share, or one of a test's own that it may
    /// stop and start again (a database outage) without disturbing the others.
    /// </summary>
    internal sealed class PostgresCluster : IDisposable
    {
        private readonly string _folder;
        private readonly string _bin;
        private readonly int _port;

        private PostgresCluster(string folder, string bin, int port)
        {
            _folder = folder;
            _bin = bin;
            _port = port;
        }

        public string ConnectionString(string database) =>
            $"Host=127.0.0.1;Port={_port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=20";

        /// <summary>A connection string to a new, empty database on this server.</summary>
        public string NewDatabase()
        {
            var name = "hub_" + Guid.NewGuid().ToString("N");
            using (var admin = new NpgsqlConnection(ConnectionString("postgres")))
            {
                admin.Open();
                using var create = admin.CreateCommand();
                create.CommandText = $"CREATE DATABASE {name}";
                create.ExecuteNonQuery();
            }
            return ConnectionString(name);
        }

        /// <summary>Stops the server as an operator's restart does (fast: sessions are ended, nothing is lost); its port refuses connections until <see cref="StartAgain"/>.</summary>
        public void StopServer() => Server("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "fast", "-w", "stop");

        public void StartAgain() => Server("pg_ctl", "-D", Path.Combine(_folder, "data"), "-l", Path.Combine(_folder, "log"), "-w", "start", "-o", Options);

        private string Options => $"-p {_port} -k {_folder} -c listen_addresses=127.0.0.1 -c max_connections=500 -c fsync=off -c shared_buffers=128MB";

        public static PostgresCluster Start()
        {
            var bin = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
                : null;
            if (bin is null)
            {
                throw new InvalidOperationException("SWITCHBOARD_TEST_STORAGE=postgres needs PostgreSQL's server programs: apt-get install -y postgresql");
            }
            var folder = Path.Combine(Path.GetTempPath(), "switchboard-pg-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            var cluster = new PostgresCluster(folder, bin, HubProcess.FreePort());
            if (Environment.UserName == "root")
            {
                // PostgreSQL refuses to run as root.
                Run("chown", "postgres", folder);
            }
            cluster.Server("initdb", "-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync");
            // fsync off: the tests kill hubs and stop this server, never the machine, so what a commit would sync for is not tested here.
            cluster.StartAgain();
            return cluster;
        }

        public void Dispose()
        {
            try
            {
                if (File.Exists(Path.Combine(_folder, "data", "postmaster.pid")))
                {
                    Server("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "stop");
                }
                Directory.Delete(_folder, true);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // Left behind in the temporary folder; nothing depends on it.
            }
        }

        private void Server(string program, params string[] args)
        {
            var path = Path.Combine(_bin, program);
            if (Environment.UserName == "root")
            {
                Run("runuser", ["-u", "postgres", "--", path, .. args]);
            }
            else
            {
                Run(path, args);
            }
        }

        private static void Run(string program, params string[] args)
        {
            var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {error.Result}{output.Result}");
            }
        }
    }
}
