using System.Diagnostics;
using Switchboard.Hosting;
using Switchboard.Matching;

namespace Switchboard.Delivery;

/// <summary>
/// The span of one delivery attempt (docs/operations.md, Traces): a child of the ingest request
/// that reported the activity, so that one trace follows it from ingest to each of its events' attempts.
/// </summary>
internal static class AttemptSpan
{
    public static System.Diagnostics.Activity? Start(OutboxEvent outboxEvent, IndexedCallback callback)
    {
        var span = HubTelemetry.Source.StartActivity("switchboard.deliver", ActivityKind.Internal, outboxEvent.Activity.Trace);
        span?.SetTag("switchboard.event.uuid", outboxEvent.Uuid)
            .SetTag("switchboard.listener.id", outboxEvent.ListenerId)
            .SetTag("switchboard.callback.id", callback.Id)
            .SetTag("switchboard.callback.mode", callback.Row.Mode.ToString())
            .SetTag("switchboard.attempt", outboxEvent.Attempts + 1);
        return span;
    }

    public static void End(System.Diagnostics.Activity? span, AttemptResult result)
    {
        if (span is null)
        {
            return;
        }
        if (result.StatusCode is { } status)
        {
            span.SetTag("switchboard.status_code", status);
        }
        span.SetStatus(result.Success ? ActivityStatusCode.Ok : ActivityStatusCode.Error, result.Success ? null : result.Error);
    }
}
