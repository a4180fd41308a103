using System.Diagnostics;

namespace Switchboard.Tests;

/// <summary>
/// A small filesystem of its own for a test that fills it up: a tmpfs the test mounts when it runs
/// as root, or the folder SWITCHBOARD_TEST_SMALL_DISK names (a small filesystem made beforehand,
/// as .ci/run does with sudo when it is not root). Filling it takes every free byte with one file;
/// freeing it deletes that file.
/// </summary>
internal sealed class SmallDisk : IAsyncDisposable
{
    public const string Variable = "SWITCHBOARD_TEST_SMALL_DISK";
    private const long MegaByte = 1024 * 1024;

    private static readonly Lazy<string?> WhyNot = new(Probe);

    private readonly string? _mountPoint;
    private readonly string _filler;

    private SmallDisk(string path, string? mountPoint)
    {
        Path = path;
        _mountPoint = mountPoint;
        _filler = System.IO.Path.Combine(path, "filler");
    }

    /// <summary>The folder to use, on the small filesystem.</summary>
    public string Path { get; }

    /// <summary>Why no small filesystem can be had here, or null when one can.</summary>
    public static string? Unavailable => WhyNot.Value;

    /// <summary>A folder on a small filesystem: a new tmpfs of <paramref name="megabytes"/> MB, or a new folder in SWITCHBOARD_TEST_SMALL_DISK.</summary>
    public static SmallDisk Mount(int megabytes)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            var folder = Directory.CreateDirectory(System.IO.Path.Combine(given, Guid.NewGuid().ToString("N"))).FullName;
            return new SmallDisk(folder, null);
        }
        var mountPoint = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "switchboard-tests", "disk-" + Guid.NewGuid().ToString("N"))).FullName;
        Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", mountPoint);
        return new SmallDisk(mountPoint, mountPoint);
    }

    /// <summary>Bytes free on the filesystem now.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Takes every free byte with one file: the next write that needs a new block fails with ENOSPC.</summary>
    public void Fill()
    {
        var block = new byte[64 * 1024];
        Array.Fill(block, (byte)'x');
        using var file = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true)
            {
                file.Write(block);
                file.Flush();
            }
        }
        catch (IOException)
        {
            // Full; what is left is less than a block.
        }
        try
        {
            while (true)
            {
                file.Write(block, 0, 1);
                file.Flush();
            }
        }
        catch (IOException)
        {
            // Full to the byte.
        }
    }

    /// <summary>Gives the space back.</summary>
    public void Free() => File.Delete(_filler);

    public ValueTask DisposeAsync()
    {
        try
        {
            if (_mountPoint is not null)
            {
                // Lazy: a process the test started may still hold a file open a moment longer.
                Run("umount", "-l", _mountPoint);
                Directory.Delete(_mountPoint);
            }
            else
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Left behind in the temporary folder; nothing depends on it.
        }
        return ValueTask.CompletedTask;
    }

    private static string? Probe()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            if (!Directory.Exists(given))
            {
                return $"{Variable}={given} is not a folder";
            }
            var free = new DriveInfo(given).AvailableFreeSpace;
            return free > 1024 * MegaByte ? $"{Variable}={given} has {free / MegaByte} MB free; the test fills it, so it must be a small filesystem of its own (at most 1 GB)" : null;
        }
        if (OperatingSystem.IsWindows() || Environment.UserName != "root")
        {
            return $"needs a small filesystem of its own to fill: run as root (the test mounts a tmpfs) or set {Variable} to a folder on one (.ci/run makes one with sudo)";
        }
        var probe = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "switchboard-tests", "disk-probe-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe);
            Run("umount", probe);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"needs a small filesystem of its own to fill, and mounting a tmpfs failed ({e.Message.Trim()}); set {Variable} to a folder on one";
        }
        finally
        {
            Directory.Delete(probe);
        }
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program}: {e.Message}", e);
        }
        using (process)
        {
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

/// <summary>A test that fills a small filesystem under SQLite: skipped on PostgreSQL, and where none can be had (<see cref="SmallDisk.Unavailable"/>).</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (TestPostgres.Enabled)
        {
            Skip = "SQLite only";
        }
        else if (SmallDisk.Unavailable is { } why)
        {
            Skip = why;
        }
    }
}
