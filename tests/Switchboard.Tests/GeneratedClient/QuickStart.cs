// The quick start through a client Kiota generated from the hub's OpenAPI document (into Client/,
// namespace Switchboard.Client), built and run by GeneratedClientTests outside this project. It
// prints one line per step for the test to check; any failure ends it with a non-zero exit.
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Switchboard.Client;
using Switchboard.Client.Models;

var (hubUrl, accountToken, operatorToken, receiverUrl, voipId) = (args[0], args[1], args[2], args[3], long.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));

var account = Connect(accountToken).V4.Accounts[voipId].Integrations.Events;

// 1. A callback: the hub sends the receiver its test request before storing it.
var callback = await account.Callbacks.PostAsync(new CallbackRequest
{
    Name = "Quick start",
    Config = new UntypedObject(new Dictionary<string, UntypedNode> { ["url"] = new UntypedString(receiverUrl), ["method"] = new UntypedString("POST") }),
});
Console.WriteLine($"callback {callback!.Id} {callback.Mode}");

// 2. A listener with its subscription in one express create.
var item = await account.Overview.PostAsync(new ExpressRequest
{
    CallbackId = callback.Id,
    Subscriptions = [new SubscriptionRequest { Tags = ["recording"] }],
});
Console.WriteLine($"listener {item!.Id} {item.Version} tags {string.Join(',', item.Subscriptions![0].Tags!)}");

// 3. An activity, as the platform reports it.
var ingested = await Connect(operatorToken).V4.Ingest.PostAsync(new ActivityRequest
{
    VoipId = voipId,
    DataType = ActivityRequest_data_type.Recording,
    IdempotencyKey = "quick-start-1",
    Data = new UntypedObject(new Dictionary<string, UntypedNode>
    {
        ["uuid"] = new UntypedString("11111111-1111-1111-1111-111111111111"),
        ["type"] = new UntypedString("call"),
        ["size"] = new UntypedLong(1222841),
        ["duration"] = new UntypedLong(40),
    }),
});
Console.WriteLine($"ingested {ingested!.Accepted}");

// 4. The delivery log, once the event is delivered.
var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
PageOfEventDelivery? log;
while (true)
{
    log = await account.Listeners[item.Id!.Value].Events.GetAsync(request =>
    {
        request.QueryParameters.Filtersstatus = Switchboard.Client.V4.Accounts.Item.Integrations.Events.Listeners.Item.Events.GetFiltersStatusQueryParameterType.Delivered;
        request.QueryParameters.Limit = 10;
    });
    if (log!.Total > 0 || DateTime.UtcNow > deadline)
    {
        break;
    }
    await Task.Delay(100);
}
var delivered = log.Items!.Single();
Console.WriteLine($"delivery {delivered.DataType} {delivered.Status} total {log.Total} limit {log.Limit}");

// 5. The callback cannot go while the listener uses it: the document's 409, as the error type.
try
{
    await account.Callbacks[callback.Id!.Value].DeleteAsync();
    Console.WriteLine("deleted");
}
catch (ApiErrorEnvelope e)
{
    Console.WriteLine($"refused {e.ResponseStatusCode} {e.Error!.Message}");
}

HubClient Connect(string token) =>
    new(new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(new Token(token))) { BaseUrl = hubUrl.TrimEnd('/') });

internal sealed class Token(string token) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new();

    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(token);
}
