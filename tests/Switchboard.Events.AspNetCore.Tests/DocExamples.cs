using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Events.AspNetCore.Tests;

/// <summary>
/// The code of docs/receiving-events.md that is not in samples/CallMonitor, here so it compiles;
/// <see cref="DocSnippetTests"/> checks the documents still show it as written.
/// </summary>
internal static class DocExamples
{
    public static void Options(WebApplicationBuilder builder)
    {
        builder.Services.AddSwitchboardWebhooks(o =>
        {
            o.Secrets.Add(builder.Configuration["Hub:WebhookSecret"]!);
            o.DuplicateWindow = TimeSpan.FromHours(1);
        });
    }

    public static void SwitchOnTheData(WebApplication app, Crm crm)
    {
        app.MapSwitchboardWebhook("/hook", async (e, cancellationToken) =>
        {
            switch (e.Data)
            {
                case CallData { EventLeg: { IsFirst: true, State: LegState.Completed } } call:
                    await crm.LogCallAsync(call.Uuid, call.EventLeg.CompletionStatus, cancellationToken);
                    break;
                case MessageData { Direction: Direction.Inbound } message:
                    await crm.LogTextAsync(message.From.Id.ToString(), message.Message, cancellationToken);
                    break;
                case RecordingData { Type: RecordingType.Voicemail } voicemail:
                    await crm.FetchVoicemailAsync(voicemail.Uuid, cancellationToken);
                    break;
                case ListenerCallbackData disabled:
                    await crm.AlertAsync($"the hub disabled callback {disabled.CallbackId}: {disabled.Reason}", cancellationToken);
                    break;
            }
        });
    }

    public static void WithTheHttpContext(WebApplication app)
    {
        app.MapSwitchboardWebhook("/crm/hook", async (e, http, cancellationToken) =>
        {
            var crm = http.RequestServices.GetRequiredService<Crm>(); // a scoped service
            if (e.Tags.Contains(Tags.Inbound))
            {
                await crm.RecordAsync(e, cancellationToken);
            }
        }, o => o.MaxBodyBytes = 64 * 1024)
        .RequireHost("hooks.example.org");
    }

    public static void MatchTags(Event e)
    {
        var inboundSms = TagSet.Of([Tags.Message, Tags.SmsMessage, Tags.Inbound]);
        if (TagSet.Of(e.Tags).ContainsAll(inboundSms))
        {
            // …
        }
    }

    /// <summary>Stands for the integrator's own code.</summary>
    internal sealed class Crm(ILogger<Crm> logger)
    {
        public Task LogCallAsync(string callUuid, CompletionStatus? status, CancellationToken cancellationToken) => Log($"call {callUuid} {status}");

        public Task LogTextAsync(string from, string text, CancellationToken cancellationToken) => Log($"text from {from}: {text}");

        public Task FetchVoicemailAsync(string recordingUuid, CancellationToken cancellationToken) => Log($"voicemail {recordingUuid}");

        public Task AlertAsync(string text, CancellationToken cancellationToken) => Log(text);

        public Task RecordAsync(Event e, CancellationToken cancellationToken) => Log($"event {e.Uuid}");

        private Task Log(string text)
        {
            logger.LogInformation("{Text}", text);
            return Task.CompletedTask;
        }
    }
}
