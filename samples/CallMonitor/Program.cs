using CallMonitor;
using Switchboard.Events;
using Switchboard.Events.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

// The callback's signing secret comes from configuration: Switchboard:Webhooks:Secrets:0 in
// appsettings.json, or the environment variable Switchboard__Webhooks__Secrets__0.
builder.Services.AddSwitchboardWebhooks();
builder.Services.AddSingleton<LiveCalls>();

var app = builder.Build();
var calls = app.Services.GetRequiredService<LiveCalls>();

app.MapSwitchboardWebhook("/hook", (e, cancellationToken) =>
{
    switch (e.Data)
    {
        case CallData:
            calls.Track(e);
            break;
        case MessageData message:
            calls.LogMessage(message);
            break;
    }
    return Task.CompletedTask;
});

// The calls in progress, for a wallboard.
app.MapGet("/calls", () => calls.InProgress);

app.Run();
