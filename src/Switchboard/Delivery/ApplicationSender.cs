using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Switchboard.Hosting;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// Delivers one event to an APPLICATION callback (delivery.md, APPLICATION callbacks):
/// <c>google-analytics</c> posts a hit, <c>sms-autoresponder</c> answers an inbound message
/// through the messaging gateway. Their endpoints are the operator's, from configuration, so they
/// are reached directly rather than through the callbacks' network guard. Events an application
/// does nothing with are recorded as delivered.
/// </summary>
internal sealed class ApplicationSender : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    private readonly HttpClient _http;
    private readonly HubDatabase _database;
    private readonly IOptions<ApplicationsOptions> _options;
    private readonly IOptions<DeliveryOptions> _delivery;
    private readonly TimeProvider _clock;

    public ApplicationSender(HubDatabase database, IOptions<ApplicationsOptions> options, IOptions<DeliveryOptions> delivery, TimeProvider clock)
    {
        (_database, _options, _delivery, _clock) = (database, options, delivery, clock);
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd($"Switchboard/{typeof(ApplicationSender).Assembly.GetName().Version?.ToString(3)}");
    }

    public Task<AttemptResult> SendAsync(OutboxEvent outboxEvent, IndexedCallback callback, CancellationToken cancellationToken)
    {
        var config = callback.Application!;
        return config.Application switch
        {
            ApplicationCallbackConfig.GoogleAnalytics =>
                SendAnalyticsAsync(outboxEvent, config.Parameters.Deserialize(CallbackConfigJsonContext.Default.GoogleAnalyticsParameters)!, cancellationToken),
            _ => SendReplyAsync(outboxEvent, config.Parameters.Deserialize(CallbackConfigJsonContext.Default.SmsAutoresponderParameters)!, cancellationToken),
        };
    }

    private Task<AttemptResult> SendAnalyticsAsync(OutboxEvent outboxEvent, GoogleAnalyticsParameters parameters, CancellationToken cancellationToken)
    {
        var analytics = _options.Value.GoogleAnalytics;
        var hit = GoogleAnalyticsHit.Parameters(parameters, outboxEvent.Activity);
        if (GoogleAnalyticsHit.IsGa4(parameters))
        {
            var url = $"{analytics.Ga4Endpoint.TrimEnd('/')}/mp/collect?measurement_id={Uri.EscapeDataString(parameters.TrackingId)}";
            var content = new ByteArrayContent(GoogleAnalyticsHit.Ga4Body(hit)) { Headers = { ContentType = JsonType } };
            // The API secret travels in the query, but the delivery log shows the URL without it.
            return PostAsync(url + "&api_secret=" + Uri.EscapeDataString(parameters.ApiSecret ?? ""), url, content, null, cancellationToken);
        }
        var collect = analytics.Endpoint.TrimEnd('/') + "/collect";
        return PostAsync(collect, collect, new FormUrlEncodedContent(hit), null, cancellationToken);
    }

    private async Task<AttemptResult> SendReplyAsync(OutboxEvent outboxEvent, SmsAutoresponderParameters parameters, CancellationToken cancellationToken)
    {
        var at = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var gateway = _options.Value.Messaging;
        if (AutoresponderReplies.For(outboxEvent.Activity, parameters) is not { } reply)
        {
            return new AttemptResult(true, at, 0, gateway.Endpoint, null, null);
        }
        if (string.IsNullOrWhiteSpace(gateway.Endpoint))
        {
            return new AttemptResult(false, at, 0, null, null, "the hub has no messaging gateway configured (Applications:Messaging:Endpoint)");
        }
        if (!await AutoresponderReplies.TryClaimAsync(_database, outboxEvent.ListenerId, reply.To, parameters.RateLimit, at, cancellationToken))
        {
            // Replied to this sender less than rate-limit seconds ago: nothing to send.
            return new AttemptResult(true, at, 0, gateway.Endpoint, null, null);
        }
        var json = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json, Events.EventJson.WriterOptions))
        {
            // Written like events are: phone numbers keep their '+' rather than \u002B.
            JsonSerializer.Serialize(writer, reply, ApplicationJsonContext.Default.AutoresponderReply);
        }
        var content = new ByteArrayContent(json.WrittenSpan.ToArray()) { Headers = { ContentType = JsonType } };
        var result = await PostAsync(gateway.Endpoint, gateway.Endpoint, content, gateway.Token, cancellationToken);
        if (!result.Success)
        {
            await AutoresponderReplies.ReleaseAsync(_database, outboxEvent.ListenerId, reply.To, at, CancellationToken.None);
        }
        return result;
    }

    private async Task<AttemptResult> PostAsync(string url, string shownUrl, HttpContent content, string? bearer, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        var at = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (!string.IsNullOrEmpty(bearer))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        var timeout = TimeSpan.FromSeconds(_delivery.Value.DefaultTimeoutSeconds);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return new AttemptResult(true, at, Elapsed(started), shownUrl, status, null);
            }
            var text = await response.Content.ReadAsStringAsync(timeoutSource.Token);
            var error = $"answered {status} {response.ReasonPhrase}".TrimEnd() + (text.Length > 0 ? ": " + (text.Length > 1024 ? text[..1024] : text) : "");
            // A 410 disables a customer's URL (delivery.md); these endpoints are the operator's, so it is an ordinary failure.
            return new AttemptResult(false, at, Elapsed(started), shownUrl, status == 410 ? null : status, error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AttemptResult(false, at, Elapsed(started), shownUrl, null, $"no answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            return new AttemptResult(false, at, Elapsed(started), shownUrl, null, CallbackVerifier.Describe(e));
        }
    }

    private int Elapsed(long started) => (int)Math.Min(int.MaxValue, _clock.GetElapsedTime(started).TotalMilliseconds);

    public void Dispose() => _http.Dispose();
}

/// <summary>The JSON the applications send.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AutoresponderReply))]
internal sealed partial class ApplicationJsonContext : JsonSerializerContext;
