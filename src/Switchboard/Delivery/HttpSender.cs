using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Switchboard.Events;
using Switchboard.Hosting;
using Switchboard.Matching;

namespace Switchboard.Delivery;

/// <summary>
/// Sends one event to an HTTP or HTTPS callback exactly as delivery.md says: the method's body or
/// <c>event</c> query parameter, the configured headers, the Standard Webhooks headers with the
/// signature when the callback has a secret, the callback's timeout, no redirects.
/// </summary>
internal sealed class HttpSender(CallbackHttp http, IOptions<DeliveryOptions> options, TimeProvider clock)
{
    /// <summary>delivery.md: response bodies are read up to 64 KiB, and 1 KiB of them kept.</summary>
    private const int MaxResponseBytes = 64 * 1024;
    private const int KeptResponseChars = 1024;

    private static readonly MediaTypeHeaderValue JsonContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    public async Task<AttemptResult> SendAsync(OutboxEvent outboxEvent, IndexedCallback callback, CancellationToken cancellationToken)
    {
        var config = callback.Http!;
        var body = EventRenderer.Render(outboxEvent);
        var method = HttpMethod.Parse(config.Method);
        var hasBody = config.Method is "POST" or "PUT" or "PATCH";
        var url = hasBody ? config.Url : WithEventParameter(config.Url, body);
        var started = clock.GetTimestamp();
        var at = clock.GetUtcNow();
        using var request = new HttpRequestMessage(method, url);
        if (hasBody)
        {
            request.Content = new ByteArrayContent(body) { Headers = { ContentType = JsonContentType } };
        }
        foreach (var header in config.Headers ?? [])
        {
            if (!request.Headers.TryAddWithoutValidation(header.Name, header.Value))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
        }
        var timestamp = at.ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation("webhook-id", outboxEvent.Uuid);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (config.Secret is { } secret)
        {
            request.Headers.TryAddWithoutValidation("webhook-signature", new WebhookSignature(secret).Sign(outboxEvent.Uuid, timestamp, body));
        }

        var timeout = TimeSpan.FromSeconds(config.Timeout ?? options.Value.DefaultTimeoutSeconds);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                // A 2xx is the delivery (delivery.md). Its body is drained so the connection goes back
                // to the pool, never past the cap; one that breaks off or trickles past the timeout
                // only costs the connection.
                await DrainCappedAsync(response, timeoutSource.Token, cancellationToken);
                return new AttemptResult(true, at.ToUnixTimeMilliseconds(), Elapsed(started), config.Url, status, null);
            }
            var text = await ReadFailureAsync(response, timeoutSource.Token, cancellationToken);
            var error = $"answered {status} {response.ReasonPhrase}".TrimEnd() + (text.Length > 0 ? ": " + text : "");
            return new AttemptResult(false, at.ToUnixTimeMilliseconds(), Elapsed(started), config.Url, status, error, RetryAfter(response));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(at, started, config.Url, $"no answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // IOException: the connection broke while the answer's head was read (HttpIOException).
            return Failed(at, started, config.Url, CallbackVerifier.Describe(e));
        }
    }

    private AttemptResult Failed(DateTimeOffset at, long started, string url, string error) =>
        new(false, at.ToUnixTimeMilliseconds(), Elapsed(started), url, null, error);

    private int Elapsed(long started) => (int)Math.Min(int.MaxValue, clock.GetElapsedTime(started).TotalMilliseconds);

    private static string WithEventParameter(string url, byte[] body) =>
        url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "event=" + Uri.EscapeDataString(Encoding.UTF8.GetString(body));

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }
        return retryAfter.Delta ?? (retryAfter.Date is { } date ? date - clock.GetUtcNow() : null);
    }

    /// <summary>Reads and drops a success's body, up to the cap: nothing of it is kept, so nothing is allocated for it.</summary>
    private static async Task DrainCappedAsync(HttpResponseMessage response, CancellationToken timeout, CancellationToken stopping)
    {
        if (response.Content.Headers.ContentLength != 0)
        {
            // The body broke off or came too slowly: the 2xx stands.
            await ReadCappedAsync(response, kept: null, timeout, stopping);
        }
    }

    /// <summary>A failure's body up to the cap, 1 KiB of it kept; a body that breaks off or trickles past the timeout keeps what came and says so.</summary>
    private static async Task<string> ReadFailureAsync(HttpResponseMessage response, CancellationToken timeout, CancellationToken stopping)
    {
        var kept = new MemoryStream();
        var cut = await ReadCappedAsync(response, kept, timeout, stopping);
        var text = Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length).Trim();
        return (text.Length > KeptResponseChars ? text[..KeptResponseChars] : text) + cut;
    }

    /// <summary>
    /// Reads a body up to <see cref="MaxResponseBytes"/>, writing its first bytes to <paramref name="kept"/>
    /// if given; answers why it stopped short ("" when it did not): it broke off, or came too slowly.
    /// </summary>
    private static async Task<string> ReadCappedAsync(HttpResponseMessage response, MemoryStream? kept, CancellationToken timeout, CancellationToken stopping)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout);
            var total = 0;
            int read;
            while (total < MaxResponseBytes && (read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, MaxResponseBytes - total)), timeout)) > 0)
            {
                total += read;
                if (kept is not null && kept.Length < KeptResponseChars * 4)
                {
                    kept.Write(buffer, 0, read);
                }
            }
            return "";
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            return e is OperationCanceledException ? " (the rest of the answer did not come in time)" : " (the answer broke off)";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
