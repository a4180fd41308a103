using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Switchboard.Listen;

/// <summary>
/// What <c>switchboard listen --hub</c> created in the hub with one express create (api.md, Overview):
/// a callback to the receiver, a listener and its subscriptions; and their removal on Ctrl+C.
/// Every refusal becomes a <see cref="ListenException"/> that says what to do about it.
/// </summary>
internal sealed class HubRegistration : IDisposable
{
    /// <summary>Long enough for the hub's test request to the receiver (api.md, Verification: 10 s by default).</summary>
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _api;
    private readonly string _base;

    private HubRegistration(HttpClient api, string basePath, long listenerId, long callbackId)
    {
        _api = api;
        _base = basePath;
        ListenerId = listenerId;
        CallbackId = callbackId;
    }

    public long ListenerId { get; }

    public long CallbackId { get; }

    public static async Task<HubRegistration> CreateAsync(
        Uri hub, string token, long account, string callbackUrl, string secret, IReadOnlyList<IReadOnlyList<string>> subscriptions, bool ordered, CancellationToken cancellationToken)
    {
        // A trailing slash keeps a hub's own path prefix (a hub behind a proxy at /switchboard/).
        var api = new HttpClient { BaseAddress = new Uri(hub.AbsoluteUri.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var basePath = string.Create(CultureInfo.InvariantCulture, $"v4/accounts/{account}/integrations/events");
        var body = new ExpressCreate(
            new ExpressCallback("switchboard listen at " + callbackUrl, new HookConfig(callbackUrl, "POST", secret)),
            [.. subscriptions.Select(tags => new ExpressSubscription(tags))],
            ordered);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(CreateTimeout);
            using var response = await SendAsync(api, hub, HttpMethod.Post, basePath + "/overview", JsonContent.Create(body, ListenJsonContext.Default.ExpressCreate), deadline.Token, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new ListenException(Explain(hub, account, callbackUrl, (int)response.StatusCode, text));
            }
            var created = JsonSerializer.Deserialize(text, ListenJsonContext.Default.ExpressCreated)
                ?? throw new ListenException($"the hub at {hub} answered 201 without the listener it created.");
            return new HubRegistration(api, basePath, created.Id, created.CallbackId);
        }
        catch
        {
            api.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Deletes the listener (its subscriptions go with it, api.md) and then its callback, which the
    /// hub refuses to delete while a listener uses it. Already gone counts as removed.
    /// </summary>
    public async Task RemoveAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var listener = string.Create(CultureInfo.InvariantCulture, $"{_base}/listeners/{ListenerId}");
        var callback = string.Create(CultureInfo.InvariantCulture, $"{_base}/callbacks/{CallbackId}");
        try
        {
            await DeleteAsync(listener, deadline.Token);
            await DeleteAsync(callback, deadline.Token);
        }
        catch (ListenException e)
        {
            throw new ListenException($"{e.Message} Remove them yourself: DELETE {_api.BaseAddress}{listener}, then DELETE {_api.BaseAddress}{callback}.");
        }
    }

    private async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(_api, _api.BaseAddress!, HttpMethod.Delete, path, null, cancellationToken, CancellationToken.None);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            var message = ErrorMessage(await response.Content.ReadAsStringAsync(cancellationToken));
            var answered = string.Create(CultureInfo.InvariantCulture, $"DELETE {path} answered {(int)response.StatusCode} {message}").TrimEnd();
            throw new ListenException(string.Create(CultureInfo.InvariantCulture, $"could not remove listener {ListenerId} and callback {CallbackId}: {answered}."));
        }
    }

    /// <summary>Sends, turning "no answer" into words; <paramref name="caller"/> tells Ctrl+C apart from the deadline.</summary>
    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient api, Uri hub, HttpMethod method, string path, HttpContent? content, CancellationToken deadline, CancellationToken caller)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        try
        {
            return await api.SendAsync(request, deadline);
        }
        catch (HttpRequestException e)
        {
            throw new ListenException($"cannot reach the hub at {hub}: {Describe(e)}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !caller.IsCancellationRequested)
        {
            throw new ListenException($"the hub at {hub} did not answer {method} {path} in time.");
        }
    }

    private static string Explain(Uri hub, long account, string callbackUrl, int status, string body)
    {
        var message = ErrorMessage(body);
        return status switch
        {
            401 => $"the hub refused the token (401). --token takes an account token, printed by: switchboard tokens create --account {account}",
            403 => $"the token may not manage account {account} (403): an account token works for its own account only (switchboard tokens create --account {account}).",
            // Delivery/CallbackVerifier names the setting when the SSRF guard refused the test request.
            422 when message.Contains("AllowPrivateNetworks", StringComparison.Ordinal) =>
                $"the hub refuses to call back to {callbackUrl}: it does not send to loopback or private addresses unless told to. "
                + "Start it with --Delivery:AllowPrivateNetworks=true (switchboard serve --Delivery:AllowPrivateNetworks=true) to receive events on this machine.",
            422 when message.StartsWith("The callback URL", StringComparison.Ordinal) => $"the hub's test request to {callbackUrl} failed: {message}",
            422 => $"the hub refused the listener (422): {message}",
            404 => $"{hub} answered 404 to the express create route: is it a Switchboard hub (switchboard serve)?",
            _ => $"the hub at {hub} answered {status}: {message}",
        };
    }

    /// <summary>The <c>@error.@message</c> of an API answer, or the start of whatever else was answered.</summary>
    private static string ErrorMessage(string body)
    {
        try
        {
            if (JsonSerializer.Deserialize(body, ListenJsonContext.Default.HubErrorEnvelope)?.Error?.Message is { } message)
            {
                return message;
            }
        }
        catch (JsonException)
        {
        }
        return body.Length > 200 ? body[..200] + "…" : body;
    }

    private static string Describe(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused (is switchboard serve running there?)",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name does not resolve",
                    _ => $"network error ({socket.SocketErrorCode})",
                };
            }
        }
        return e.Message;
    }

    public void Dispose() => _api.Dispose();
}
