using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using Xunit.Abstractions;

namespace Switchboard.Tests;

/// <summary>
/// api.md, Errors, as a property of every operation of the OpenAPI document: whatever the base, ids, query
/// and body, the hub answers without a 5xx; every answer that is not 2xx is the <c>@error</c> envelope; a 2xx
/// body matches the schema the document declares for it; and where the request reaches its route, the
/// status is one the operation declares.
/// </summary>
/// <remarks>
/// The run is fixed by its seed: the requests are drawn one after another from one PCG, and the world they
/// name (ids made and deleted) follows from the answers, so the same seed against the same hub sends the
/// same requests. <c>SWITCHBOARD_FUZZ_SEED</c> (a number) runs another, and <c>SWITCHBOARD_FUZZ_REQUESTS</c>
/// changes how many requests it sends. A failure prints the seed and the first failing request of each kind
/// (method, path and query, token, Content-Type, body, how the body was made). <see cref="TestHub"/> raises
/// the per-token and failed-authentication limits, so the run is not throttled into 429s; one would still
/// have to come in the envelope.
/// </remarks>
public partial class ApiFuzzTests(ITestOutputHelper output)
{
    private const ulong DefaultSeed = 20261203;
    private const int DefaultRequests = 3000;

    /// <summary>The management API's body limit (Api:MaxBodyBytes), which the test hub keeps.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    [Fact]
    public async Task Every_operation_answers_generated_and_hostile_requests_in_the_envelope_or_by_its_schema_and_never_with_a_5xx()
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("SWITCHBOARD_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        var count = int.TryParse(Environment.GetEnvironmentVariable("SWITCHBOARD_FUZZ_REQUESTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : DefaultRequests;
        output.WriteLine($"SWITCHBOARD_FUZZ_SEED={seed} SWITCHBOARD_FUZZ_REQUESTS={count}");

        await using var world = await FuzzWorld.StartAsync();
        var document = world.Document.RootElement;
        var operations = ApiOperation.All(document);
        var schemas = new SchemaCheck(document);
        var requests = new FuzzRequests(world, schemas);
        var pcg = new PCG(1, seed);
        var failures = new Dictionary<string, (int Count, string First)>();
        var statuses = new SortedDictionary<int, int>();
        var byOperation = operations.ToDictionary(o => o, _ => new SortedDictionary<int, int>());
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < count; i++)
        {
            // Round the operations in document order, so each gets count / operations requests.
            var request = requests.Next(operations[i % operations.Count], pcg);
            var (status, mediaType, body, closes) = await SendAsync(world.Http, request);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            byOperation[request.Operation][status] = byOperation[request.Operation].GetValueOrDefault(status) + 1;
            var reached = operations.FirstOrDefault(o => o.Matches(request.Method, ApiOperation.Segments(request.PathAndQuery)));
            var problems = Problems(reached, status, mediaType, body, schemas);
            // Past the limit the server closes the connection after answering (ingest takes more once it reads).
            if (status != 0 && !closes && request.Body?.Bytes?.Length > MaxBodyBytes && request.Operation.Resource != "ingest")
            {
                problems.Add("the answer to a body over the limit does not say Connection: close, yet the connection is closed after it");
            }
            if (problems.Count > 0)
            {
                var key = $"{request.Operation} {status} {Regex.Replace(problems[0], "[0-9]+", "N")}";
                var report = $"#{i} {request}\n  answered {status} {mediaType}: {(body.Length > 1500 ? body[..1500] + "…" : body)}\n  - {string.Join("\n  - ", problems)}";
                failures[key] = failures.TryGetValue(key, out var seen) ? (seen.Count + 1, seen.First) : (1, report);
            }
            else if (status is >= 200 and < 300 && reached == request.Operation)
            {
                world.Learn(request, body);
            }
        }

        output.WriteLine($"{count} requests on {operations.Count} operations in {clock.Elapsed.TotalSeconds:0.0} s; statuses: {Tally(statuses)}");
        foreach (var (operation, tally) in byOperation)
        {
            output.WriteLine($"  {operation}: {Tally(tally)}");
        }
        Assert.True(failures.Count == 0,
            $"SWITCHBOARD_FUZZ_SEED={seed}: {failures.Values.Sum(f => f.Count)} of {count} requests failed, {failures.Count} kinds; the first of each kind:\n\n"
            + string.Join("\n\n", failures.Values.Take(15).Select(f => (f.Count > 1 ? $"({f.Count} like it) " : "") + f.First)));
    }

    private static string Tally(SortedDictionary<int, int> statuses) => string.Join(", ", statuses.Select(p => $"{p.Key}×{p.Value}"));

    private static async Task<(int Status, string? MediaType, string Body, bool Closes)> SendAsync(HttpClient http, FuzzRequest request)
    {
        // Paths go out as written: %-encodings, dots and all.
        var uri = new Uri(http.BaseAddress!.GetLeftPart(UriPartial.Authority) + request.PathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
        if (request.Authorization is { } authorization)
        {
            message.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        if (request.Body is { Bytes: { } bytes } body)
        {
            message.Content = new ByteArrayContent(bytes);
            if (body.ContentType is { } type)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }
        try
        {
            using var response = await http.SendAsync(message);
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), response.Headers.ConnectionClose == true);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // Not an answer at all: reported as a failure with status 0.
            return (0, null, $"{e.GetType().Name}: {e.Message}", true);
        }
    }

    /// <summary>What is wrong with the answer; empty when nothing is.</summary>
    /// <param name="operation">The operation whose route the request reached, if any.</param>
    private static List<string> Problems(ApiOperation? operation, int status, string? mediaType, string body, SchemaCheck schemas)
    {
        var problems = new List<string>();
        if (status == 0)
        {
            return [$"no answer: {body}"];
        }
        if (status >= 500)
        {
            problems.Add("a 5xx: api.md says no input may cause one");
        }
        // 408, 414 and 431 are the web server's, for a request line or headers it refused before any route saw them (docs/api.md, Errors).
        if (operation is not null && status is not (408 or 414 or 431) && !operation.Responses.ContainsKey(status))
        {
            problems.Add($"{status} is not among the statuses {operation} declares ({string.Join(", ", operation.Responses.Keys.Order())})");
        }
        if (status is >= 200 and < 300)
        {
            if (operation is null)
            {
                problems.Add("a 2xx for a request that reaches no operation of the document");
            }
            else if (operation.Responses.TryGetValue(status, out var declared))
            {
                problems.AddRange(CheckBody(declared, mediaType, body, schemas));
            }
            return problems;
        }
        problems.AddRange(CheckEnvelope(status, mediaType, body, schemas));
        return problems;
    }

    private static IEnumerable<string> CheckBody(ApiResponse declared, string? mediaType, string body, SchemaCheck schemas)
    {
        if (declared.MediaType is null)
        {
            return body.Length == 0 ? [] : [$"a body where the document declares none: {body}"];
        }
        if (!string.Equals(mediaType, declared.MediaType, StringComparison.OrdinalIgnoreCase))
        {
            return [$"Content-Type {mediaType ?? "(none)"} where the document declares {declared.MediaType}"];
        }
        if (declared.MediaType != "application/json" || declared.Schema is not { } schema)
        {
            return [];
        }
        using var json = Parse(body);
        return json is null ? ["the body is not JSON"] : schemas.Check(schema, json.RootElement).Select(e => "off its schema: " + e);
    }

    /// <summary>api.md, Errors: <c>{"@error": {"@message", "@httpStatusCode", "@time"[, "@fields"]}}</c> as application/json.</summary>
    private static List<string> CheckEnvelope(int status, string? mediaType, string body, SchemaCheck schemas)
    {
        if (mediaType != "application/json")
        {
            return [$"Content-Type {mediaType ?? "(none)"} on an error answer, not application/json"];
        }
        using var json = Parse(body);
        if (json is null)
        {
            return ["the error answer is not JSON"];
        }
        var problems = schemas.Check(schemas.Resolve("#/components/schemas/ApiErrorEnvelope"), json.RootElement).Select(e => "not the envelope: " + e).ToList();
        if (problems.Count > 0)
        {
            return problems;
        }
        var error = json.RootElement.GetProperty("@error");
        if (error.GetProperty("@httpStatusCode").GetInt32() != status)
        {
            problems.Add($"@httpStatusCode {error.GetProperty("@httpStatusCode")} on a {status}");
        }
        if (string.IsNullOrWhiteSpace(error.GetProperty("@message").GetString()))
        {
            problems.Add("an empty @message");
        }
        if (!TimePattern().IsMatch(error.GetProperty("@time").GetString()!))
        {
            problems.Add($"@time {error.GetProperty("@time")} is not ISO 8601 UTC with milliseconds");
        }
        return problems;
    }

    private static JsonDocument? Parse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]
    private static partial Regex TimePattern();
}
