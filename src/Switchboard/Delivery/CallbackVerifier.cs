using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Switchboard.Events;
using Switchboard.Hosting;

namespace Switchboard.Delivery;

/// <summary>
/// api.md, Callbacks, Verification: before an HTTP(S) callback is stored, its URL must answer a
/// test request (<c>{"test": 1}</c>, the configured method and headers) with 200 or 201 in time.
/// </summary>
internal sealed partial class CallbackVerifier(CallbackHttp http, IOptions<DeliveryOptions> options, TimeProvider time, ILogger<CallbackVerifier> logger)
{
    public const string TestBody = """{"test": 1}""";

    /// <summary>Null when the URL accepted the test; otherwise what it answered, for <c>@message</c>.</summary>
    public async Task<string?> VerifyAsync(HttpCallbackConfig config, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(config.Timeout ?? options.Value.DefaultTimeoutSeconds);
        using var request = CreateRequest(config);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            LogVerified(logger, status);
            return status is 200 or 201
                ? null
                : $"The callback URL answered {status} {response.ReasonPhrase} to the test request; it must answer 200 or 201.";
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return $"The callback URL did not answer the test request within {timeout.TotalSeconds:0} s.";
        }
        catch (HttpRequestException e)
        {
            return "The callback URL could not be reached for the test request: " + Describe(e);
        }
    }

    /// <summary>
    /// POST, PUT, PATCH carry the JSON body; GET and DELETE carry it URL-encoded in the <c>event</c>
    /// query parameter, exactly as events are later delivered (delivery.md), so a receiver that
    /// accepts the test accepts the events.
    /// </summary>
    private HttpRequestMessage CreateRequest(HttpCallbackConfig config)
    {
        var hasBody = config.Method is "POST" or "PUT" or "PATCH";
        var url = hasBody ? config.Url : config.Url + (config.Url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "event=" + Uri.EscapeDataString(TestBody);
        var request = new HttpRequestMessage(new HttpMethod(config.Method), url);
        if (hasBody)
        {
            request.Content = new StringContent(TestBody, Encoding.UTF8, "application/json");
        }
        foreach (var header in config.Headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }
        var id = "test_" + Guid.NewGuid().ToString("N");
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation("webhook-id", id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (config.Secret is { } secret && WebhookSignature.IsValidSecret(secret))
        {
            request.Headers.TryAddWithoutValidation("webhook-signature", new WebhookSignature(secret).Sign(id, timestamp, TestBody));
        }
        return request;
    }

    /// <summary>Words an owner understands for a request that got no answer (verification and delivery).</summary>
    public static string Describe(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case BlockedAddressException blocked:
                    return $"refused: {blocked.Message} (the operator can allow these with Delivery:AllowPrivateNetworks=true).";
                case System.Security.Authentication.AuthenticationException:
                    return "TLS error: " + TlsReason(inner);
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return "connection refused.";
                case SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted }:
                    return "the receiver reset the connection.";
                case SocketException { SocketErrorCode: SocketError.TimedOut }:
                    return "the connection timed out.";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return "the host name does not resolve.";
                case SocketException socket:
                    return $"network error ({socket.SocketErrorCode}).";
            }
        }
        var error = e switch
        {
            HttpRequestException request => request.HttpRequestError,
            HttpIOException io => io.HttpRequestError,
            _ => HttpRequestError.Unknown,
        };
        return error switch
        {
            HttpRequestError.NameResolutionError => "the host name does not resolve.",
            HttpRequestError.SecureConnectionError => "TLS error.",
            HttpRequestError.ConnectionError => "connection failed.",
            HttpRequestError.InvalidResponse => "the answer was not valid HTTP.",
            HttpRequestError.ResponseEnded => "the receiver closed the connection before its answer ended.",
            _ => e.Message,
        };
    }

    /// <summary>
    /// Why the TLS handshake failed: the certificate's faults as .NET words them, or, where it only
    /// says to "see inner exception" (the server broke the handshake off), what OpenSSL said last.
    /// </summary>
    private static string TlsReason(Exception e)
    {
        if (!e.Message.Contains("inner exception", StringComparison.OrdinalIgnoreCase) || e.InnerException is null)
        {
            return e.Message;
        }
        var innermost = e.InnerException;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }
        return "the handshake failed: " + innermost.Message;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Callback verification answered {Status}")]
    private static partial void LogVerified(ILogger logger, int status);
}
