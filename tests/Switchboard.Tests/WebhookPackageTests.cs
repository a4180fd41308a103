using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Events;
using Switchboard.Events.AspNetCore;
using Switchboard.Storage;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>The hub and the Switchboard.Events.AspNetCore package agree: verification, signatures, the event.</summary>
public class WebhookPackageTests
{
    [Fact]
    public async Task A_hub_delivers_a_signed_event_to_MapSwitchboardWebhook_and_the_handler_gets_it_typed()
    {
        var secret = WebhookSignature.GenerateSecret();
        var handled = new ConcurrentQueue<Event>();
        await using var integrator = await StartIntegratorAsync(secret, e =>
        {
            handled.Enqueue(e);
            return Task.CompletedTask;
        });

        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var producer = await hub.ClientAsync(TokenScope.Operator);
        // Creating the callback sends the signed verification request: a 401 there would fail this with 422.
        var item = await ListenAsync(account, AccountBase, HookUrl(integrator), [["call"]], callbackExtra: $", \"secret\": \"{secret}\"");
        Assert.Empty(handled);

        await IngestAsync(producer, ActivityOf("inbound-call-to-device/5-2nd-leg-connected.json"));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (handled.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var received = Assert.Single(handled);
        Assert.Equal(item.GetProperty("id").GetInt64(), received.ListenerId);
        Assert.Equal(["call", "connected-call", "not-first-leg", "inbound", "from-did", "to-extension"], received.Tags);
        var call = Assert.IsType<CallData>(received.Data);
        Assert.Equal(LegState.Connected, call.EventLeg.State);
        Assert.Equal(500, call.EventLeg.To.Extension);
    }

    [Fact]
    public async Task A_callback_without_the_secret_the_receiver_expects_is_refused_when_created()
    {
        await using var integrator = await StartIntegratorAsync(WebhookSignature.GenerateSecret(), _ => Task.CompletedTask);
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);

        var response = await account.PostAsync($"{AccountBase}/callbacks", Json($"{{\"config\": {{\"url\": \"{HookUrl(integrator)}\", \"secret\": \"{WebhookSignature.GenerateSecret()}\"}}}}"));

        var error = await ErrorAsync(response, System.Net.HttpStatusCode.UnprocessableEntity);
        Assert.Contains("answered 401", error.GetProperty("@message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>An integrator's app on 127.0.0.1 with <c>MapSwitchboardWebhook("/hook", …)</c> checking <paramref name="secret"/>.</summary>
    private static async Task<WebApplication> StartIntegratorAsync(string secret, Func<Event, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSwitchboardWebhooks(o => o.Secrets.Add(secret));
        var app = builder.Build();
        app.MapSwitchboardWebhook("/hook", (e, _) => handler(e));
        await app.StartAsync();
        return app;
    }

    private static string HookUrl(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
}
