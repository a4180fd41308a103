using Microsoft.Extensions.Logging;

namespace Switchboard.Events.AspNetCore;

/// <summary>What the webhook endpoints log: uuids and reasons, never secrets or event contents.</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Switchboard webhook {Pattern} checks no signatures: no secret is configured, so anyone who can reach it can post events")]
    public static partial void Unsigned(ILogger logger, string pattern);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a Switchboard webhook request with {Status}: {Problem}")]
    public static partial void Refused(ILogger logger, int status, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Answered the hub's verification request")]
    public static partial void Verified(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {Uuid} was already handled; answered without running the handler")]
    public static partial void Duplicate(ILogger logger, string uuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {Uuid} arrived again while it is being handled; answered 409 so the hub retries it later")]
    public static partial void Running(ILogger logger, string uuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "The hub hung up while event {Uuid} was being handled; its retry will be handled again")]
    public static partial void Aborted(ILogger logger, string uuid);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Switchboard webhook handler failed for event {Uuid}; answered 500 so the hub retries it")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string uuid);
}
