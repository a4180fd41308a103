using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Switchboard.Events.AspNetCore.Tests;

/// <summary>
/// An integrator's app on 127.0.0.1 (real Kestrel) with one <c>MapSwitchboardWebhook</c> at
/// <c>/hook</c>, reached with a real <see cref="HttpClient"/>. Its clock is a
/// <see cref="FakeTimeProvider"/> set to the real time, moved only by the tests.
/// </summary>
internal sealed class WebhookApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookApp(WebApplication app, FakeTimeProvider time)
    {
        _app = app;
        Time = time;
    }

    public HttpClient Http { get; private set; } = null!;

    public FakeTimeProvider Time { get; }

    /// <summary>Every event the handler was called with, in call order.</summary>
    public ConcurrentQueue<Event> Handled { get; } = new();

    /// <summary>
    /// When set, runs inside the handler after the event is recorded in <see cref="Handled"/>;
    /// throwing from it makes the handler fail.
    /// </summary>
    public Func<Event, CancellationToken, Task>? OnEvent { get; set; }

    public static async Task<WebhookApp> StartAsync(
        Action<SwitchboardWebhookOptions>? configure = null,
        IDictionary<string, string?>? settings = null,
        Action<IEndpointConventionBuilder>? endpoint = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSwitchboardWebhooks(configure);
        var app = builder.Build();
        var webhookApp = new WebhookApp(app, time);
        var hook = app.MapSwitchboardWebhook("/hook", async (value, cancellationToken) =>
        {
            webhookApp.Handled.Enqueue(value);
            if (webhookApp.OnEvent is { } onEvent)
            {
                await onEvent(value, cancellationToken);
            }
        });
        endpoint?.Invoke(hook);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        webhookApp.Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(20) };
        return webhookApp;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
