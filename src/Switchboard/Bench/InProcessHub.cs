using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Bench;

/// <summary>
/// The hub the bench starts in its own process when no <c>--hub</c> is given: built and started
/// exactly as <c>switchboard serve</c> does, on 127.0.0.1 and a port of its own, allowed to reach the
/// loopback receiver, logging only warnings and only to stderr.
/// </summary>
internal sealed class InProcessHub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessHub(WebApplication app, string url, string token)
    {
        _app = app;
        Url = url;
        Token = token;
    }

    public string Url { get; }

    /// <summary>An operator token made for the bench.</summary>
    public string Token { get; }

    /// <summary>Cancelled when the hub's host is asked to stop: its console lifetime takes Ctrl+C and SIGTERM.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public DeliveryOptions Delivery => _app.Services.GetRequiredService<IOptions<DeliveryOptions>>().Value;

    public static async Task<InProcessHub> StartAsync(string dataDirectory, IReadOnlyList<string> settings, CancellationToken cancellationToken)
    {
        var app = Hub.Build(new HubSettings("http://127.0.0.1:0", dataDirectory,
        [
            "--Delivery:AllowPrivateNetworks=true",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:Console:LogToStandardErrorThreshold=Trace",
            .. settings,
        ]));
        try
        {
            var url = await Hub.StartAsync(app, TextWriter.Null, cancellationToken);
            var (_, token) = await app.Services.GetRequiredService<TokenStore>().CreateAsync(TokenScope.Operator, null, null, cancellationToken);
            return new InProcessHub(app, url, token);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        // Pooled connections keep the database files open; the bench may delete them next.
        SqliteConnection.ClearAllPools();
    }
}
