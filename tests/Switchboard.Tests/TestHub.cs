using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Tests;

/// <summary>A real hub on 127.0.0.1 with a real SQLite file in a temporary folder, reached over HTTP.</summary>
internal sealed class TestHub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHub(WebApplication app, string dataDirectory, string url, string console)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Url = url;
        Console = console;
        Http = ObservedStatuses.Client(url);
    }

    public string DataDirectory { get; }

    public string Url { get; }

    /// <summary>What the hub printed to its console while starting.</summary>
    public string Console { get; }

    public HttpClient Http { get; }

    /// <summary>The hub's services, for arranging what the API cannot (revoked tokens, …).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a hub. Callbacks may reach loopback receivers (<c>Delivery:AllowPrivateNetworks</c>)
    /// unless <paramref name="settings"/> say otherwise: later settings win.
    /// </summary>
    public static async Task<TestHub> StartAsync(string? dataDirectory = null, params string[] settings)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
        // On PostgreSQL each data directory stands for a database of its own, so a hub started again on it finds its data.
        var postgres = TestPostgres.DatabaseFor(dataDirectory);
        var app = Hub.Build(new HubSettings("http://127.0.0.1:0", dataDirectory, ["--Delivery:AllowPrivateNetworks=true", "--Api:RequestsPerSecond=100000", "--Api:RequestBurst=100000", "--Api:FailedAuthPerSecond=100000", "--Api:FailedAuthBurst=100000", .. settings], postgres));
        var console = new StringWriter();
        var url = await Hub.StartAsync(app, console, CancellationToken.None);
        return new TestHub(app, dataDirectory, url, console.ToString());
    }

    /// <summary>A client carrying a new token of the given scope.</summary>
    public async Task<HttpClient> ClientAsync(TokenScope scope, long? voipId = null, long? extensionId = null)
    {
        var (_, token) = await _app.Services.GetRequiredService<TokenStore>().CreateAsync(scope, voipId, extensionId, CancellationToken.None);
        var client = ObservedStatuses.Client(Url);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
