using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Switchboard.Events;

namespace Switchboard.Listen;

/// <summary>
/// The callback URL of <c>switchboard listen</c>: Kestrel on 127.0.0.1, any path. An event comes as
/// the body of a POST, PUT or PATCH, or URL-encoded in the <c>event</c> query parameter of a GET or
/// DELETE (delivery.md, as the hub's HttpSender sends them). With a secret, every request must carry
/// a valid Standard Webhooks signature (401 otherwise); <c>{"test": 1}</c> verification requests get
/// 200; a body that is not an Events v2 event gets 400 with the first broken rule.
/// </summary>
internal sealed class ListenReceiver : IAsyncDisposable
{
    /// <summary>An event is a few KiB; anything far larger is not one.</summary>
    private const long MaxBodyBytes = 1024 * 1024;

    private readonly WebApplication _app;
    private readonly WebhookSignature? _signature;
    private readonly EventPrinter _printer;
    private readonly TimeProvider _clock;

    private ListenReceiver(WebApplication app, WebhookSignature? signature, EventPrinter printer, TimeProvider clock)
    {
        _app = app;
        _signature = signature;
        _printer = printer;
        _clock = clock;
    }

    /// <summary>The base URL, with the port actually bound (<c>http://127.0.0.1:9000/</c>).</summary>
    public string Url { get; private set; } = "";

    /// <summary>Cancelled when the receiver's host is asked to stop: on Ctrl+C or SIGTERM.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>Starts receiving; an <see cref="IOException"/> when the port cannot be bound.</summary>
    public static async Task<ListenReceiver> StartAsync(int port, string? secret, EventPrinter printer, TimeProvider clock, CancellationToken cancellationToken)
    {
        // The empty builder reads no appsettings.json or ASPNETCORE_ variables of the folder it runs in:
        // the receiver binds where it is told and nowhere else.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        var receiver = new ListenReceiver(app, secret is null ? null : new WebhookSignature(secret), printer, clock);
        app.Run(receiver.AnswerAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        receiver.Url = $"http://127.0.0.1:{bound.Port}/";
        return receiver;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var (body, problem) = await ReadEventTextAsync(request, context.RequestAborted);
        if (body is null)
        {
            await RefuseAsync(context, problem!.Value.Status, problem.Value.Why);
            return;
        }
        var webhookId = request.Headers["webhook-id"].ToString();
        if (_signature is not null)
        {
            var check = _signature.Verify(webhookId, request.Headers["webhook-timestamp"], request.Headers["webhook-signature"], body, _clock);
            if (check != SignatureCheck.Valid)
            {
                await RefuseAsync(context, StatusCodes.Status401Unauthorized, Explain(check, request));
                return;
            }
        }
        if (IsVerificationRequest(body))
        {
            _printer.Verification(webhookId.Length > 0 ? webhookId : null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        var read = EventJson.Read(body);
        if (!read.IsValid)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "not an Events v2 event: " + read.Errors[0]);
            return;
        }
        _printer.Event(read.Value!, body);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>The event as the hub sent it: the body, or the <c>event</c> query parameter of a GET or DELETE.</summary>
    private static async Task<(byte[]? Body, (int Status, string Why)? Problem)> ReadEventTextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsDelete(request.Method))
        {
            return request.Query["event"] is { Count: 1 } parameter
                ? (Encoding.UTF8.GetBytes(parameter.ToString()), null)
                : (null, (StatusCodes.Status400BadRequest, $"a {request.Method} carries the event in one event query parameter, and this has none"));
        }
        if (!(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)))
        {
            return (null, (StatusCodes.Status405MethodNotAllowed, "events come by POST, PUT, PATCH, GET or DELETE"));
        }
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            return (buffer.ToArray(), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, (StatusCodes.Status413PayloadTooLarge, "the body is over 1 MiB, far larger than an event"));
        }
    }

    private string Explain(SignatureCheck check, HttpRequest request) => check switch
    {
        SignatureCheck.MissingHeader when string.IsNullOrEmpty(request.Headers["webhook-signature"]) => "not signed (no webhook-signature header), and a secret is set",
        SignatureCheck.MissingHeader => "webhook-id or webhook-timestamp is missing",
        SignatureCheck.InvalidTimestamp => "webhook-timestamp is not a whole number of seconds",
        SignatureCheck.TooOld => $"webhook-timestamp is more than {WebhookSignature.DefaultTolerance.TotalMinutes:0} minutes old (a replay, or a clock out of step)",
        SignatureCheck.TooNew => $"webhook-timestamp is more than {WebhookSignature.DefaultTolerance.TotalMinutes:0} minutes ahead (a clock out of step)",
        _ => "the signature does not match the secret",
    };

    /// <summary>api.md, Verification: the body is exactly the object <c>{"test": 1}</c>.</summary>
    private static bool IsVerificationRequest(byte[] body)
    {
        if (body.Length > 64)
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.EnumerateObject().Count() == 1
                && root.TryGetProperty("test", out var test) && test.ValueKind == JsonValueKind.Number && test.GetRawText() == "1";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async Task RefuseAsync(HttpContext context, int status, string why)
    {
        _printer.Refused(status, context.Request.Method, context.Request.Path.ToUriComponent(), why);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        // The hub keeps the start of an error answer in its delivery log: say there what was wrong.
        await context.Response.WriteAsync("switchboard listen: " + why, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
