using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Switchboard.Tests;

/// <summary>Runs after every test that runs in parallel (xunit runs such collections last), so it sees what they observed.</summary>
[CollectionDefinition(nameof(AfterTheOthers), DisableParallelization = true)]
public sealed class AfterTheOthers;

/// <summary>
/// The document declares every status the hub answered during this test run, route by route. Only
/// that direction can fail: a filtered run observes less, never more. What was declared but not seen
/// is written to the test's output.
/// </summary>
[Collection(nameof(AfterTheOthers))]
public class DeclaredStatusesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_status_a_route_answered_in_this_run_is_declared_in_the_document()
    {
        var declared = await DeclaredAsync();
        var observed = ObservedStatuses.All;

        var routes = observed
            // 408, 414 and 431 are the web server's, for a request line or headers it refused before any route saw them (docs/api.md, Errors).
            .Where(o => o.Status is not (408 or 414 or 431))
            .Select(o => (o.Method, Route: declared.Keys.FirstOrDefault(r => r.Method == o.Method && Matches(r.Pattern, o.Path)), o.Status, o.Path))
            .Where(o => o.Route.Template is not null)
            .ToList();
        var undeclared = routes.Where(o => !declared[o.Route].Contains(o.Status))
            .GroupBy(o => $"{o.Method} {o.Route.Template} answered {o.Status}", o => o.Path)
            .Select(g => $"{g.Key} (e.g. {g.First()})").Order().ToList();
        Assert.True(undeclared.Count == 0, "Not in the OpenAPI document:\n" + string.Join('\n', undeclared));

        var seen = routes.ToLookup(o => o.Route, o => o.Status);
        output.WriteLine($"{observed.Count} (method, path, status) observed on {seen.Count} of {declared.Count} routes.");
        foreach (var (route, statuses) in declared.OrderBy(r => r.Key.Template, StringComparer.Ordinal))
        {
            if (statuses.Except(seen[route]).ToList() is { Count: > 0 } unseen)
            {
                output.WriteLine($"declared, not seen: {route.Method} {route.Template} {string.Join(' ', unseen)}");
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> reaches the route: read as the server routes it (%-decoded, with
    /// "." and ".." resolved: /listeners/1/events/%2e/redeliver is /listeners/1/redeliver), its integer
    /// parameters must be int64s, as the route constraints want; /callbacks/abc or an account id of 20
    /// digits gets the router's 404, not the route's. A path with an encoded NUL (%00) gets the web server's
    /// 400 before any route sees it.
    /// </summary>
    private static bool Matches(Regex pattern, string path)
    {
        var segments = ApiOperation.Segments(path);
        return !segments.Any(s => s.Contains('\0', StringComparison.Ordinal))
            && pattern.Match("/" + string.Join('/', segments)) is { Success: true } match
            && match.Groups["integer"].Captures.All(c => long.TryParse(c.Value, System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    /// <summary>Each operation of the document: its method, path template (as a pattern) and declared statuses.</summary>
    private static async Task<Dictionary<(string Method, string Template, Regex Pattern), HashSet<int>>> DeclaredAsync()
    {
        await using var hub = await TestHub.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(hub.Url) };
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var declared = new Dictionary<(string, string, Regex), HashSet<int>>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name != "parameters"))
            {
                var integers = (operation.Value.TryGetProperty("parameters", out var parameters) ? parameters.EnumerateArray() : default)
                    .Where(p => p.GetProperty("in").GetString() == "path" && p.GetProperty("schema").GetProperty("type").ValueKind == JsonValueKind.String && p.GetProperty("schema").GetProperty("type").GetString() == "integer")
                    .Select(p => p.GetProperty("name").GetString()!)
                    .ToHashSet();
                var pattern = new Regex("^" + Regex.Replace(Regex.Escape(path.Name), @"\\\{([^}]+)}", m => integers.Contains(m.Groups[1].Value) ? "(?<integer>-?[0-9]+)" : "[^/]+") + "$");
                declared[(operation.Name.ToUpperInvariant(), path.Name, pattern)] =
                    [.. operation.Value.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture))];
            }
        }
        return declared;
    }
}
