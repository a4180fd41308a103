using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Events.AspNetCore;

/// <summary>
/// One mapped webhook URL: reads what the hub sent, checks it, and runs the handler once per
/// event. Every answer is plain text, because the hub keeps the first 1 KiB of a refused
/// answer in its delivery log, where the owner reads it (delivery.md).
/// </summary>
internal sealed class WebhookEndpoint
{
    private const int MaxErrorsShown = 10;

    private readonly Func<Event, HttpContext, CancellationToken, Task> _handler;
    private readonly WebhookSignature[] _signatures;
    private readonly TimeSpan _tolerance;
    private readonly long _maxBodyBytes;
    private readonly HandledEvents _handled;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public WebhookEndpoint(Func<Event, HttpContext, CancellationToken, Task> handler, SwitchboardWebhookOptions options, TimeProvider time, ILogger logger)
    {
        _handler = handler;
        _signatures = [.. options.Secrets.Select(s => new WebhookSignature(s))];
        _tolerance = options.Tolerance;
        _maxBodyBytes = options.MaxBodyBytes;
        _handled = new HandledEvents(options.DuplicateWindow, options.MaxRememberedEvents, time);
        _time = time;
        _logger = logger;
    }

    public bool IsSigned => _signatures.Length > 0;

    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var body = await ReadEventJsonAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (body.Problem is { } bodyProblem)
        {
            WebhookLog.Refused(_logger, body.Status, bodyProblem);
            await AnswerAsync(context, body.Status, bodyProblem).ConfigureAwait(false);
            return;
        }
        var json = body.Json!;

        // Checked before anything else is believed, the verification request included: a callback
        // created in the hub without the secret then fails its verification, not every event later.
        if (CheckSignature(context.Request, json) is { } signatureProblem)
        {
            WebhookLog.Refused(_logger, StatusCodes.Status401Unauthorized, signatureProblem);
            await AnswerAsync(context, StatusCodes.Status401Unauthorized, signatureProblem).ConfigureAwait(false);
            return;
        }

        var read = EventJson.Read(json);
        if (!read.IsValid)
        {
            if (IsVerificationRequest(json))
            {
                WebhookLog.Verified(_logger);
                await AnswerAsync(context, StatusCodes.Status200OK, null).ConfigureAwait(false);
                return;
            }
            var problem = "not a valid Switchboard event:\n" + string.Join('\n', read.Errors.Take(MaxErrorsShown))
                + (read.Errors.Count > MaxErrorsShown ? $"\n… and {read.Errors.Count - MaxErrorsShown} more" : "");
            WebhookLog.Refused(_logger, StatusCodes.Status400BadRequest, problem);
            await AnswerAsync(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false);
            return;
        }

        var value = read.Value!;
        switch (_handled.Admit(value.Uuid))
        {
            case Admission.Duplicate:
                WebhookLog.Duplicate(_logger, value.Uuid);
                await AnswerAsync(context, StatusCodes.Status200OK, null).ConfigureAwait(false);
                return;
            case Admission.Running:
                // A retry while the first delivery is still being handled (the hub gave up waiting):
                // refused, so the hub tries again later and then finds it handled, or not if it failed.
                WebhookLog.Running(_logger, value.Uuid);
                await AnswerAsync(context, StatusCodes.Status409Conflict, $"event {value.Uuid} is being handled by another request").ConfigureAwait(false);
                return;
        }

        try
        {
            await _handler(value, context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The hub hung up; nobody reads the answer. Not remembered, so its retry is handled.
            _handled.Abandon(value.Uuid);
            WebhookLog.Aborted(_logger, value.Uuid);
            return;
        }
        catch (Exception e)
        {
            _handled.Abandon(value.Uuid);
            WebhookLog.HandlerFailed(_logger, e, value.Uuid);
            await AnswerAsync(context, StatusCodes.Status500InternalServerError, $"event {value.Uuid} could not be handled").ConfigureAwait(false);
            return;
        }
        _handled.Complete(value.Uuid);
        await AnswerAsync(context, StatusCodes.Status200OK, null).ConfigureAwait(false);
    }

    /// <summary>
    /// POST, PUT and PATCH carry the event as the body; GET and DELETE in the <c>event</c> query
    /// parameter (delivery.md). Either way no more than the limit is read.
    /// </summary>
    private async Task<EventBody> ReadEventJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsDelete(request.Method))
        {
            if (!request.Query.TryGetValue("event", out var parameter) || parameter.Count != 1)
            {
                return EventBody.Refused(StatusCodes.Status400BadRequest, "the event is missing: a GET or DELETE carries it in one event query parameter");
            }
            var text = parameter.ToString();
            return Encoding.UTF8.GetByteCount(text) > _maxBodyBytes ? TooLarge() : EventBody.Of(Encoding.UTF8.GetBytes(text));
        }
        if (request.ContentLength > _maxBodyBytes)
        {
            return TooLarge();
        }
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > _maxBodyBytes)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return TooLarge();
            }
            if (result.IsCompleted)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return EventBody.Of(bytes);
            }
            // Nothing consumed yet: wait until the whole body is buffered.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private EventBody TooLarge() =>
        EventBody.Refused(StatusCodes.Status413PayloadTooLarge, $"the event is larger than this endpoint accepts ({_maxBodyBytes} bytes)");

    /// <summary>Null when the request is signed by one of the secrets, or when there are none; otherwise why not.</summary>
    private string? CheckSignature(HttpRequest request, byte[] json)
    {
        if (_signatures.Length == 0)
        {
            return null;
        }
        var id = request.Headers["webhook-id"].ToString();
        var timestamp = request.Headers["webhook-timestamp"].ToString();
        var signature = request.Headers["webhook-signature"].ToString();
        var now = _time.GetUtcNow();
        var check = SignatureCheck.NoMatchingSignature;
        foreach (var secret in _signatures)
        {
            check = secret.Verify(id, timestamp, signature, json, now, _tolerance);
            if (check != SignatureCheck.NoMatchingSignature)
            {
                break; // valid, or wrong whatever the secret (a header or the time)
            }
        }
        return check switch
        {
            SignatureCheck.Valid => null,
            SignatureCheck.MissingHeader => MissingHeaders(("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", signature)),
            SignatureCheck.InvalidTimestamp => "invalid signature: webhook-timestamp is not a number of seconds",
            SignatureCheck.TooOld => $"stale signature: webhook-timestamp is more than {_tolerance.TotalSeconds:0} s in the past",
            SignatureCheck.TooNew => $"invalid signature: webhook-timestamp is more than {_tolerance.TotalSeconds:0} s in the future",
            _ => "invalid signature: webhook-signature does not match the request under any configured secret",
        };
    }

    private static string MissingHeaders(params (string Name, string Value)[] headers)
    {
        var missing = headers.Where(h => h.Value.Length == 0).Select(h => h.Name).ToList();
        return $"missing signature: no {string.Join(", ", missing)} header" + (missing.Count > 1 ? "s" : "");
    }

    /// <summary>api.md, Callbacks, Verification: the hub's <c>{"test": 1}</c> before it stores a callback.</summary>
    private static bool IsVerificationRequest(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.GetPropertyCount() == 1
                && root.TryGetProperty("test", out var test)
                && test.ValueKind == JsonValueKind.Number
                && test.TryGetInt32(out var one) && one == 1;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Task AnswerAsync(HttpContext context, int status, string? text)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }
        context.Response.StatusCode = status;
        if (text is null)
        {
            return Task.CompletedTask;
        }
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }

    private readonly record struct EventBody(byte[]? Json, int Status, string? Problem)
    {
        public static EventBody Of(byte[] json) => new(json, 0, null);

        public static EventBody Refused(int status, string problem) => new(null, status, problem);
    }
}
