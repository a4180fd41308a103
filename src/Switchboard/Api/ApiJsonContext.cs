using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>Source-generated JSON for everything the API writes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApiErrorEnvelope))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(Profile))]
[JsonSerializable(typeof(Page<Profile>))]
[JsonSerializable(typeof(ProfileRequest))]
[JsonSerializable(typeof(ProfileChange))]
[JsonSerializable(typeof(Callback))]
[JsonSerializable(typeof(Page<Callback>))]
[JsonSerializable(typeof(CallbackRequest))]
[JsonSerializable(typeof(CallbackChange))]
[JsonSerializable(typeof(Listener))]
[JsonSerializable(typeof(Page<Listener>))]
[JsonSerializable(typeof(ListenerRequest))]
[JsonSerializable(typeof(ListenerChange))]
[JsonSerializable(typeof(SubscriptionView))]
[JsonSerializable(typeof(Page<SubscriptionView>))]
[JsonSerializable(typeof(SubscriptionRequest))]
[JsonSerializable(typeof(ListenerFilter))]
[JsonSerializable(typeof(Page<ListenerFilter>))]
[JsonSerializable(typeof(FilterRequest))]
[JsonSerializable(typeof(FilterChange))]
[JsonSerializable(typeof(Schedule))]
[JsonSerializable(typeof(Page<Schedule>))]
[JsonSerializable(typeof(ScheduleRequest))]
[JsonSerializable(typeof(ScheduleChange))]
[JsonSerializable(typeof(OverviewItem))]
[JsonSerializable(typeof(Page<OverviewItem>))]
[JsonSerializable(typeof(ExpressRequest))]
[JsonSerializable(typeof(DeleteResult))]
[JsonSerializable(typeof(EventDelivery))]
[JsonSerializable(typeof(ReplayRequest))]
[JsonSerializable(typeof(ReplayQueued))]
[JsonSerializable(typeof(Page<EventDelivery>))]
[JsonSerializable(typeof(EventDeliveryDetail))]
[JsonSerializable(typeof(Ingest.IngestResult))]
[JsonSerializable(typeof(Ingest.ActivityRequest))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
internal sealed partial class ApiJsonContext : JsonSerializerContext
{
    /// <summary>
    /// What the API writes with: answers are application/json, never HTML, so <c>+</c> of phone numbers and
    /// <c>&lt;</c>, <c>&gt;</c>, <c>'</c> and non-ASCII text stay as the client sent them instead of \u escapes.
    /// </summary>
    public static ApiJsonContext Relaxed { get; } = new(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
