using System.Text.Json;

namespace Switchboard.Tests;

/// <summary>A parameter of an operation, as the document declares it.</summary>
internal sealed record ApiParameter(string Name, string In, bool Required, JsonElement Schema);

/// <summary>A declared answer: its media type and schema, or neither for an answer without a body.</summary>
internal sealed record ApiResponse(string? MediaType, JsonElement? Schema);

/// <summary>One operation of the OpenAPI document: a method on a path template.</summary>
internal sealed record ApiOperation(
    string Method, string Template, IReadOnlyList<ApiParameter> Parameters, JsonElement? RequestSchema, IReadOnlyList<string> RequestMediaTypes,
    IReadOnlyDictionary<int, ApiResponse> Responses)
{
    public IEnumerable<ApiParameter> InPath => Parameters.Where(p => p.In == "path");

    public IEnumerable<ApiParameter> InQuery => Parameters.Where(p => p.In == "query");

    /// <summary>The resource a path names by its last word that is not a parameter: callbacks, listeners, events, ….</summary>
    public string Resource => Template.Split('/').Last(s => !s.StartsWith('{') && s is not ("redeliver" or "replay"));

    public override string ToString() => $"{Method} {Template}";

    /// <summary>
    /// Whether a request reaches this operation's route: the method, and each segment of the path as the
    /// server reads it (see <see cref="Segments"/>) the template's literal or, for a parameter, a value the
    /// route takes (an int64 where the document says integer, as the <c>:long</c> route constraints want).
    /// </summary>
    public bool Matches(string method, IReadOnlyList<string> segments)
    {
        var template = Template.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (method != Method || template.Length != segments.Count)
        {
            return false;
        }
        // Kestrel refuses a path with an encoded NUL (%00) before any route sees it.
        if (segments.Any(s => s.Contains('\0', StringComparison.Ordinal)))
        {
            return false;
        }
        for (var i = 0; i < template.Length; i++)
        {
            if (!template[i].StartsWith('{'))
            {
                if (!string.Equals(template[i], segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                continue;
            }
            var parameter = InPath.Single(p => p.Name == template[i][1..^1]);
            var integer = parameter.Schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "integer";
            if (segments[i].Length == 0 || (integer && !long.TryParse(segments[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The path's segments as the server routes them: %-decoded one by one (an encoded slash stays inside
    /// its segment), with the dot segments "." and ".." resolved.
    /// </summary>
    public static List<string> Segments(string pathAndQuery)
    {
        var segments = new List<string>();
        foreach (var raw in pathAndQuery.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = Uri.UnescapeDataString(raw);
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment != ".")
            {
                segments.Add(segment);
            }
        }
        return segments;
    }

    /// <summary>Every operation of <paramref name="document"/>, in document order.</summary>
    public static List<ApiOperation> All(JsonElement document)
    {
        var operations = new List<ApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var shared = path.Value.TryGetProperty("parameters", out var common) ? common.EnumerateArray().ToList() : [];
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is not ("parameters" or "summary" or "description" or "servers")))
            {
                var parameters = shared.Concat(operation.Value.TryGetProperty("parameters", out var own) ? own.EnumerateArray() : [])
                    .Select(p => new ApiParameter(
                        p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!,
                        p.TryGetProperty("required", out var required) && required.GetBoolean(), p.GetProperty("schema")))
                    .ToList();
                JsonElement? requestSchema = null;
                var mediaTypes = new List<string>();
                if (operation.Value.TryGetProperty("requestBody", out var body))
                {
                    foreach (var content in body.GetProperty("content").EnumerateObject())
                    {
                        mediaTypes.Add(content.Name);
                        if (content.Name == "application/json")
                        {
                            requestSchema = content.Value.GetProperty("schema");
                        }
                    }
                }
                var responses = new Dictionary<int, ApiResponse>();
                foreach (var response in operation.Value.GetProperty("responses").EnumerateObject())
                {
                    var content = response.Value.TryGetProperty("content", out var c) ? c.EnumerateObject().FirstOrDefault() : default;
                    responses[int.Parse(response.Name, System.Globalization.CultureInfo.InvariantCulture)] = content.Name is null
                        ? new ApiResponse(null, null)
                        : new ApiResponse(content.Name, content.Value.TryGetProperty("schema", out var schema) ? schema : null);
                }
                operations.Add(new ApiOperation(operation.Name.ToUpperInvariant(), path.Name, parameters, requestSchema, mediaTypes, responses));
            }
        }
        return operations;
    }
}
