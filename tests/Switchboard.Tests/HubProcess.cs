using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Tests;

/// <summary>
/// The real <c>switchboard</c> executable as a child process: <c>switchboard serve</c> on a
/// loopback port, to be killed the way a crash kills it, and the one-shot commands.
/// </summary>
internal sealed class HubProcess : IAsyncDisposable
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "switchboard.dll");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private HubProcess(Process process, ConcurrentQueue<string> output, string url)
    {
        _process = process;
        _output = output;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Whether the process ended (was killed, or crashed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What the hub printed so far (standard output and error), for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>A port on 127.0.0.1 that nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A new data folder for <c>serve</c> processes, with an operator token and one of account 1000002.</summary>
    public static async Task<(string DataDirectory, string OperatorToken, string AccountToken)> NewDataAsync()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
        var operatorToken = (await RunAsync("tokens", "create", "--operator", "--data-dir", dataDirectory)).Trim();
        var accountToken = (await RunAsync("tokens", "create", "--account", "1000002", "--data-dir", dataDirectory)).Trim();
        return (dataDirectory, operatorToken, accountToken);
    }

    /// <summary>Runs a one-shot command (<c>tokens create …</c>) to its end; returns its standard output.</summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Executable, .. TestPostgres.WithDatabase(args)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"switchboard {string.Join(' ', args)} exited with {process.ExitCode}: {await error}");
        return await output;
    }

    /// <summary>Starts <c>switchboard serve</c> on <paramref name="port"/> and waits until <c>/readyz</c> answers 200.</summary>
    public static Task<HubProcess> StartAsync(string dataDirectory, int port, params string[] settings) =>
        StartAsync(dataDirectory, port, new Dictionary<string, string>(), settings);

    /// <summary>The same, with these variables in the process's environment.</summary>
    public static async Task<HubProcess> StartAsync(string dataDirectory, int port, IReadOnlyDictionary<string, string> environment, params string[] settings)
    {
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet", [Executable, .. TestPostgres.WithDatabase(["serve", "--urls", url, "--data-dir", dataDirectory, .. settings])])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var output = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Collect(output, line.Data);
        process.ErrorDataReceived += (_, line) => Collect(output, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var hub = new HubProcess(process, output, url);

        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"switchboard serve exited with {process.ExitCode}:\n{hub.Output}");
            }
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK)
                {
                    return hub;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Starting up slowly.
            }
            if (DateTime.UtcNow > deadline)
            {
                await hub.DisposeAsync();
                throw new TimeoutException($"switchboard serve was not ready within 30 s:\n{hub.Output}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed; what was in memory is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private static void Collect(ConcurrentQueue<string> output, string? line)
    {
        // Enough to explain a failure, not an unbounded log of a long run.
        if (line is not null && output.Count < 2000)
        {
            output.Enqueue(line);
        }
    }
}
