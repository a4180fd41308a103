using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Switchboard.Api;
using Switchboard.Delivery;
using Switchboard.Events;
using Switchboard.Hosting;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Ingest;

/// <summary>The answer to an ingest (ingest.md): activities stored, and those that were repeats of an idempotency key.</summary>
internal sealed record IngestResult(int Accepted, int Duplicates);

/// <summary>An activity as the OpenAPI document shows it (bodies are read by <see cref="ActivityReader"/>).</summary>
internal sealed record ActivityRequest(
    long VoipId, [property: AllowedValues(Tags.Call, Tags.Message, Tags.CallLog, Tags.Recording, Tags.ApiError)] string DataType, JsonElement Data, long[]? ExtensionIds = null, string? DataObjectUuid = null, long? TimestampNs = null, string? IdempotencyKey = null);

/// <summary>
/// <c>POST /v4/ingest</c> (ingest.md, Transports): one activity as JSON, or many as NDJSON, with
/// an operator token. A batch is all or nothing; the 202 comes once everything is durable.
/// </summary>
internal static class IngestRoutes
{
    public const string Path = "/v4/ingest";
    private const string NdJson = "application/x-ndjson";

    /// <summary>The @fields of a refused batch name at most this many problems.</summary>
    private const int MaxReportedErrors = 100;

    private static readonly JsonDocumentOptions LineOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    public static void MapIngest(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(Path, IngestAsync).WithTags("Ingest")
            .WithErrors(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable)
            .Accepts<ActivityRequest>("application/json", NdJson)
            .Produces<IngestResult>(StatusCodes.Status202Accepted)
            .WithSummary("Report activities (operator token)")
            .WithDescription("One activity as application/json, or up to 10 000 as application/x-ndjson, one per line. Answers once they are stored.");
    }

    private static async Task<IResult> IngestAsync(
        HttpContext context, ListenerIndex index, OutboxWriter writer, IOptions<IngestOptions> options, TimeProvider clock)
    {
        var info = await BearerToken.FindAsync(context);
        if (info is null)
        {
            return BearerToken.Refuse(context);
        }
        if (info.Scope != TokenScope.Operator)
        {
            return ApiResults.Error(StatusCodes.Status403Forbidden, "Ingest takes an operator token.");
        }
        var mediaType = (context.Request.ContentType ?? "").Split(';')[0].Trim();
        var batch = mediaType.Equals(NdJson, StringComparison.OrdinalIgnoreCase);
        if (!batch && !mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Error(StatusCodes.Status415UnsupportedMediaType, $"Send one activity as application/json, or several as {NdJson}.");
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.Value.MaxBodyBytes;
        }
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);

        var nowNs = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        var errors = new Dictionary<string, string>();
        var activities = new List<Activity>();
        if (batch)
        {
            var lines = 0;
            foreach (var range in Lines(body.Span))
            {
                if (++lines > options.Value.MaxLines)
                {
                    return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"A batch has at most {options.Value.MaxLines} lines; split it.");
                }
                if (range.Start.Value == range.End.Value)
                {
                    continue;
                }
                var prefix = $"line {lines}: ";
                if (errors.Count < MaxReportedErrors && Parse(body[range], prefix, errors) is { } document)
                {
                    using (document)
                    {
                        if (ActivityReader.Read(document.RootElement, prefix, nowNs, errors) is { } activity)
                        {
                            activities.Add(activity);
                        }
                    }
                }
            }
            if (errors.Count == 0 && activities.Count == 0)
            {
                return ApiResults.Error(StatusCodes.Status400BadRequest, "The batch has no activities.");
            }
        }
        else
        {
            if (Parse(body, "", errors) is not { } document)
            {
                return ApiResults.Error(StatusCodes.Status400BadRequest, $"The body is not a JSON activity: {errors.Values.First()}.");
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return ApiResults.Error(StatusCodes.Status400BadRequest, "The body must be a JSON object.");
                }
                if (ActivityReader.Read(document.RootElement, "", nowNs, errors) is { } activity)
                {
                    activities.Add(activity);
                }
            }
        }
        if (errors.Count > 0)
        {
            return ApiResults.Invalid(errors.Take(MaxReportedErrors).ToDictionary());
        }

        var nowSeconds = nowNs / 1_000_000_000;
        var request = System.Diagnostics.Activity.Current?.Context ?? default;
        using (var match = HubTelemetry.Source.StartActivity("switchboard.match"))
        {
            // scaling.md: not matched against a configuration older than another node has acknowledged.
            await index.CatchUpAsync([.. activities.Select(a => a.VoipId).Distinct()], context.RequestAborted);
            foreach (var activity in activities)
            {
                activity.Targets = index.TargetsOf(activity, nowSeconds);
                activity.Trace = request;
            }
            match?.SetTag("switchboard.activities", activities.Count).SetTag("switchboard.events", activities.Sum(a => a.Targets.Count));
        }
        IngestResult result;
        try
        {
            using var store = HubTelemetry.Source.StartActivity("switchboard.store");
            var (accepted, duplicates) = await writer.SubmitAsync(activities);
            store?.SetTag("switchboard.accepted", accepted).SetTag("switchboard.duplicates", duplicates);
            result = new IngestResult(accepted, duplicates);
        }
        catch (StorageBusyException e)
        {
            context.Response.Headers.RetryAfter = "1";
            return ApiResults.Error(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or IOException)
        {
            // Not stored, so not acknowledged: the producer keeps the activities and sends them again.
            context.Response.Headers.RetryAfter = "1";
            return ApiResults.Error(StatusCodes.Status503ServiceUnavailable, "The activities could not be stored and were not accepted; send them again. " + e.Message);
        }
        return TypedResults.Json(result, ApiJsonContext.Relaxed.IngestResult, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The JSON document of one line (or the whole body), or null with the problem in <paramref name="errors"/>.</summary>
    private static JsonDocument? Parse(ReadOnlyMemory<byte> json, string prefix, Dictionary<string, string> errors)
    {
        if (!Utf8.IsValid(json.Span))
        {
            errors.TryAdd(prefix + "$", "is not valid UTF-8");
            return null;
        }
        try
        {
            var document = JsonDocument.Parse(json, LineOptions);
            if (!JsonBody.HasOnlyReadableStrings(document.RootElement))
            {
                document.Dispose();
                errors.TryAdd(prefix + "$", "has a string that is not valid Unicode (an escaped lone surrogate)");
                return null;
            }
            return document;
        }
        catch (JsonException e)
        {
            errors.TryAdd(prefix + "$", "is not valid JSON: " + e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.'));
        }
        catch (InvalidOperationException)
        {
            errors.TryAdd(prefix + "$", "has a name that is not valid Unicode (an escaped lone surrogate)");
        }
        return null;
    }

    /// <summary>The lines of an NDJSON body, without their <c>\n</c> or <c>\r\n</c>.</summary>
    private static List<Range> Lines(ReadOnlySpan<byte> body)
    {
        var lines = new List<Range>();
        var start = 0;
        while (start <= body.Length)
        {
            var end = body[start..].IndexOf((byte)'\n');
            var stop = end < 0 ? body.Length : start + end;
            var trimmed = stop > start && body[stop - 1] == (byte)'\r' ? stop - 1 : stop;
            if (end >= 0 || trimmed > start)
            {
                lines.Add(start..trimmed);
            }
            if (end < 0)
            {
                break;
            }
            start = stop + 1;
        }
        return lines;
    }
}
