using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Switchboard.Bench;

/// <summary>
/// The hub the bench starts when no <c>--hub</c> is given: this same program running
/// <c>switchboard serve</c> as a child process, so that its CPU time, allocations and memory are
/// its own and not mixed with the load generator's and the receiver's. On 127.0.0.1 and a free
/// port, allowed to reach the loopback receiver, logging only warnings.
/// </summary>
internal sealed partial class ChildHub : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private readonly CancellationTokenSource _exited = new();

    private ChildHub(Process process, ConcurrentQueue<string> output, string url)
    {
        _process = process;
        _output = output;
        Url = url;
        process.Exited += (_, _) => _exited.Cancel();
        if (process.HasExited)
        {
            _exited.Cancel();
        }
    }

    public string Url { get; }

    /// <summary>The operator token the hub printed on its first start.</summary>
    public string Token { get; private set; } = "";

    /// <summary>Cancelled when the hub's process ends before the bench stops it.</summary>
    public CancellationToken Exited => _exited.Token;

    /// <summary>
    /// Starts <c>switchboard serve</c> on SQLite in <paramref name="dataDirectory"/>, or on PostgreSQL
    /// (<paramref name="postgres"/>); with <paramref name="token"/> known it does not wait for the
    /// one a first start prints.
    /// </summary>
    public static async Task<ChildHub> StartAsync(string dataDirectory, string? postgres, string? token, IReadOnlyList<string> settings, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            // Run as `dotnet switchboard.dll`: the child is started the same way.
            start.ArgumentList.Add(typeof(ChildHub).Assembly.Location);
        }
        string[] storage = postgres is null ? ["--data-dir", dataDirectory] : ["--postgres", postgres];
        foreach (var argument in (string[])["serve", "--urls", url, .. storage, "--Delivery:AllowPrivateNetworks=true",
            "--Logging:LogLevel:Default=Warning", "--Logging:Console:LogToStandardErrorThreshold=Trace", .. settings])
        {
            start.ArgumentList.Add(argument);
        }
        var output = new ConcurrentQueue<string>();
        var printed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (token is not null)
        {
            printed.SetResult(token);
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) =>
        {
            Collect(output, line.Data);
            if (line.Data is { } text && TokenLine().Match(text) is { Success: true } found)
            {
                printed.TrySetResult(found.Value);
            }
        };
        process.ErrorDataReceived += (_, line) => Collect(output, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var hub = new ChildHub(process, output, url);
        try
        {
            hub.Token = await printed.Task.WaitAsync(TimeSpan.FromSeconds(60), hub.Exited).WaitAsync(cancellationToken);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(2) };
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hub.Exited.ThrowIfCancellationRequested();
                try
                {
                    if ((await http.GetAsync("/healthz", cancellationToken)).StatusCode == HttpStatusCode.OK)
                    {
                        return hub;
                    }
                }
                catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested && !hub.Exited.IsCancellationRequested))
                {
                    // Not listening yet, or slow to answer while it starts.
                }
                await Task.Delay(50, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            await hub.DisposeAsync();
            throw new BenchException($"the hub (switchboard serve) did not start: {hub.LastLines()}");
        }
        catch
        {
            await hub.DisposeAsync();
            throw;
        }
    }

    /// <summary>The last lines the hub printed, for an error message.</summary>
    public string LastLines() => string.Join(" | ", _output.TakeLast(5)) is { Length: > 0 } lines ? lines : "it printed nothing";

    /// <summary>The first error the hub logged among the lines kept (its message and first lines of detail), or null.</summary>
    public string? FirstError() =>
        _output.SkipWhile(line => !line.StartsWith("fail:", StringComparison.Ordinal) && !line.StartsWith("crit:", StringComparison.Ordinal)).Take(4).ToList() is { Count: > 0 } lines
            ? string.Join(" | ", lines.Select(line => line.Trim()))
            : null;

    /// <summary>Stops the hub as an operator would (SIGTERM), and kills it if it has not ended in 15 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            if (!await TerminateAsync(_process.Id))
            {
                _process.Kill(entireProcessTree: true);
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        // _exited is not disposed: the process's Exited event may still be raised after this, and a
        // token source without a timer holds nothing to free.
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Collect(ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
            while (output.Count > 50)
            {
                output.TryDequeue(out _);
            }
        }
    }

    [GeneratedRegex(@"\bsb_[A-Za-z0-9_-]+")]
    private static partial Regex TokenLine();

    /// <summary>SIGTERM, so the hub stops as on Ctrl+C: in-flight work recorded, files closed.</summary>
    private static async Task<bool> TerminateAsync(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { RedirectStandardError = true });
            await kill!.WaitForExitAsync();
            return kill.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
