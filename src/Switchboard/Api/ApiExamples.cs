using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Switchboard.Ingest;

namespace Switchboard.Api;

/// <summary>
/// An example of each request body in the document, each one the hub accepts (a test posts them; ids
/// refer to what the request before made on a new account).
/// </summary>
internal static class ApiExamples
{
    private static readonly Dictionary<Type, string> Bodies = new()
    {
        [typeof(ProfileRequest)] = """{"name": "Acme support", "support_email": "support@example.org"}""",
        [typeof(ProfileChange)] = """{"support_email": null}""",
        [typeof(CallbackRequest)] = """{"name": "Ops mailbox", "config": {"email": "ops@example.org"}}""",
        [typeof(CallbackChange)] = """{"profile_id": 1, "enabled": false}""",
        [typeof(ListenerRequest)] = """{"callback_id": 1, "ordered": true}""",
        [typeof(ListenerChange)] = """{"expires_at": null}""",
        [typeof(ReplayRequest)] = """{"status": "failed", "since": 1764547200, "until": null}""",
        [typeof(SubscriptionRequest)] = """{":tags": ["call", "inbound"]}""",
        [typeof(FilterRequest)] = """{"filter_type": "number", "filter_value": {"eq": "+15551234567"}}""",
        [typeof(FilterChange)] = """{"not_logic": true}""",
        [typeof(ScheduleRequest)] = """
            {"name": "Office hours", "time_zone": "America/New_York",
             "rules": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"}],
             "exceptions": [{"date": "2026-12-25", "open": false}]}
            """,
        [typeof(ScheduleChange)] = """{"exceptions": []}""",
        [typeof(ExpressRequest)] = """
            {":callback": {"name": "Sales desk", "config": {"email": "sales@example.org"}},
             ":subscriptions": [{":tags": ["call", "inbound"]}, {":tags": ["message"]}]}
            """,
        [typeof(ActivityRequest)] = """
            {"voip_id": 1000002, "data_type": "recording", "timestamp_ns": 1593095761000000000, "idempotency_key": "recording-11111111",
             "data": {"uuid": "11111111-1111-1111-1111-111111111111", "type": "call", "size": 1222841, "duration": 40}}
            """,
    };

    public static Task AddTo(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (Bodies.TryGetValue(context.JsonTypeInfo.Type, out var body))
        {
            schema.Example = JsonNode.Parse(body);
        }
        return Task.CompletedTask;
    }
}
