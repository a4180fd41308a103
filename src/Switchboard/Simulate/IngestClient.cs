using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Switchboard.Api;
using Switchboard.Ingest;

namespace Switchboard.Simulate;

/// <summary>
/// Posts NDJSON batches to <c>POST /v4/ingest</c> (ingest.md, Transports) and turns every answer
/// but a 202 into an <see cref="IngestException"/> that tells the person what to do about it.
/// Used by <c>simulate</c> and by the load of <c>bench</c>.
/// </summary>
internal sealed class IngestClient(HttpClient hub)
{
    private static readonly MediaTypeHeaderValue NdJson = new("application/x-ndjson");

    /// <summary>A client for the hub at <paramref name="url"/> with an operator token.</summary>
    public static HttpClient Connect(Uri url, string token)
    {
        var http = new HttpClient { BaseAddress = url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Posts the batch; answers what the hub stored once it is durable.</summary>
    public async Task<IngestResult> PostAsync(ReadOnlyMemory<byte> ndjson, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using var content = new ReadOnlyMemoryContent(ndjson);
            content.Headers.ContentType = NdJson;
            response = await hub.PostAsync(IngestRoutes.Path, content, cancellationToken);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            && e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData })
        {
            throw new IngestException(IngestFailure.Unreachable,
                $"no hub answers at {hub.BaseAddress} ({e.Message}). Start one with `switchboard serve` (it listens on http://127.0.0.1:8080), or give the address of a running hub with --hub.");
        }
        catch (HttpRequestException e)
        {
            throw new IngestException(IngestFailure.Transient, $"POST {IngestRoutes.Path} to {hub.BaseAddress} failed: {e.Message}");
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IngestException(IngestFailure.Transient, $"POST {IngestRoutes.Path} to {hub.BaseAddress} timed out: {e.Message}");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return JsonSerializer.Deserialize(text, ApiJsonContext.Default.IngestResult)
                    ?? throw new IngestException(IngestFailure.Refused, $"the hub answered 202 without a result: {text}");
            }
            var error = ErrorOf(text);
            var said = error?.Message ?? Shorten(text);
            throw (int)response.StatusCode switch
            {
                401 or 403 => new IngestException(IngestFailure.Unauthorized,
                    $"the hub refused the token ({(int)response.StatusCode}: {said}). Ingest needs an operator token: create one on the hub's machine with `switchboard tokens create --operator` and give it with --token or SWITCHBOARD_TOKEN."),
                422 => new IngestException(IngestFailure.Invalid, $"the hub found invalid activities (422: {said}) {string.Join("; ", (error?.Fields ?? new Dictionary<string, string>()).Take(5).Select(f => $"{f.Key}: {f.Value}"))}", error?.Fields ?? new Dictionary<string, string>()),
                429 or >= 500 => new IngestException(IngestFailure.Transient, $"the hub could not take the batch now ({(int)response.StatusCode}: {said})"),
                _ => new IngestException(IngestFailure.Refused, $"POST {IngestRoutes.Path} answered {(int)response.StatusCode}: {said}"),
            };
        }
    }

    private static ApiError? ErrorOf(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, ApiJsonContext.Default.ApiErrorEnvelope)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Shorten(string text) => text.Length > 500 ? text[..500] + "…" : text;
}
