using System.Net;
using System.Text;
using System.Text.Json;

namespace Switchboard.Api;

/// <summary>
/// The HTML of <c>GET /docs</c>, rendered on the server from the same OpenAPI document
/// <c>/openapi/v1.json</c> serves: every operation by tag (method, path, summary, parameters,
/// request body, answers) and every schema's fields, inside the embedded <c>docs.html</c>, which
/// also explains the Bearer token. The page has no script, so it reads the same without JavaScript.
/// </summary>
internal static class ApiDocsPage
{
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    public static string Render(string template, JsonElement document)
    {
        var schemas = document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s) ? s : default;
        var types = new TypeNames(schemas);
        var info = document.GetProperty("info");

        var byTag = new Dictionary<string, List<(string Path, string Method, JsonElement Operation)>>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in Methods)
            {
                if (path.Value.TryGetProperty(method, out var operation))
                {
                    var tag = operation.TryGetProperty("tags", out var tags) && tags.GetArrayLength() > 0 ? TagName(tags[0]) : "Other";
                    if (!byTag.TryGetValue(tag, out var list))
                    {
                        byTag[tag] = list = [];
                    }
                    list.Add((path.Name, method, operation));
                }
            }
        }

        var nav = new StringBuilder();
        var operations = new StringBuilder();
        foreach (var (tag, list) in byTag)
        {
            var id = "tag-" + Slug(tag);
            nav.Append($"  <a href=\"#{id}\">{E(tag)} ({list.Count})</a>\n");
            operations.Append($"<h2 id=\"{id}\">{E(tag)}</h2>\n");
            foreach (var (path, method, operation) in list)
            {
                AppendOperation(operations, path, method, operation, types);
            }
        }

        return template
            .Replace("<!--title-->", E(Text(info, "title")) + " <span class=\"muted\">" + E(Text(info, "version")) + "</span>", StringComparison.Ordinal)
            .Replace("<!--description-->", E(Text(info, "description")), StringComparison.Ordinal)
            .Replace("<!--nav-->", nav.ToString().TrimEnd('\n'), StringComparison.Ordinal)
            .Replace("<!--operations-->", operations.ToString(), StringComparison.Ordinal)
            .Replace("<!--schemas-->", RenderSchemas(schemas, types), StringComparison.Ordinal);
    }

    private static void AppendOperation(StringBuilder html, string path, string method, JsonElement operation, TypeNames types)
    {
        html.Append($"<article class=\"op\" id=\"{method}-{Slug(path)}\">\n");
        html.Append($"<h3><span class=\"method {method}\">{method.ToUpperInvariant()}</span> <code class=\"path\">{E(path)}</code></h3>\n");
        if (Text(operation, "summary") is { Length: > 0 } summary)
        {
            html.Append($"<p>{E(summary)}</p>\n");
        }
        if (Text(operation, "description") is { Length: > 0 } description)
        {
            html.Append($"<p class=\"muted\">{E(description)}</p>\n");
        }
        if (operation.TryGetProperty("parameters", out var parameters) && parameters.GetArrayLength() > 0)
        {
            html.Append("<div class=\"table\"><table>\n<tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>\n");
            foreach (var parameter in parameters.EnumerateArray())
            {
                var required = parameter.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True ? " <span class=\"req\">required</span>" : "";
                var type = parameter.TryGetProperty("schema", out var schema) ? types.Html(schema) : "";
                html.Append($"<tr><td><code>{E(Text(parameter, "name"))}</code>{required}</td><td>{E(Text(parameter, "in"))}</td><td>{type}</td><td>{E(Text(parameter, "description"))}</td></tr>\n");
            }
            html.Append("</table></div>\n");
        }
        if (operation.TryGetProperty("requestBody", out var body) && body.TryGetProperty("content", out var bodyContent))
        {
            html.Append("<p><strong>Request body</strong> ");
            html.Append(string.Join(", ", bodyContent.EnumerateObject().Select(c => $"{BodyType(c.Value, types)} <span class=\"muted\">as {E(c.Name)}</span>")));
            html.Append("</p>\n");
        }
        if (operation.TryGetProperty("responses", out var responses))
        {
            html.Append("<div class=\"table\"><table>\n<tr><th>answer</th><th>body</th></tr>\n");
            foreach (var response in responses.EnumerateObject().OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                var content = response.Value.TryGetProperty("content", out var c)
                    ? string.Join(", ", c.EnumerateObject().Select(m => BodyType(m.Value, types)).Distinct())
                    : "";
                html.Append($"<tr><td><code>{E(response.Name)}</code> {E(Text(response.Value, "description"))}</td><td>{content}</td></tr>\n");
            }
            html.Append("</table></div>\n");
        }
        html.Append("</article>\n");
    }

    private static string BodyType(JsonElement media, TypeNames types) => media.TryGetProperty("schema", out var schema) ? types.Html(schema) : "";

    private static string RenderSchemas(JsonElement schemas, TypeNames types)
    {
        if (schemas.ValueKind != JsonValueKind.Object)
        {
            return "";
        }
        var html = new StringBuilder("<h2 id=\"schemas\">Schemas</h2>\n");
        foreach (var schema in schemas.EnumerateObject())
        {
            if (types.IsFreeForm(schema.Name))
            {
                continue;
            }
            html.Append($"<section class=\"schema\" id=\"schema-{Slug(schema.Name)}\">\n<h3>{E(schema.Name)}</h3>\n");
            if (Text(schema.Value, "description") is { Length: > 0 } description)
            {
                html.Append($"<p class=\"muted\">{E(description)}</p>\n");
            }
            if (schema.Value.TryGetProperty("properties", out var properties))
            {
                var required = schema.Value.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()).ToHashSet() : [];
                html.Append("<div class=\"table\"><table>\n<tr><th>field</th><th>type</th><th>description</th></tr>\n");
                foreach (var property in properties.EnumerateObject())
                {
                    var mark = required.Contains(property.Name) ? " <span class=\"req\">required</span>" : "";
                    html.Append($"<tr><td><code>{E(property.Name)}</code>{mark}</td><td>{types.Html(property.Value)}</td><td>{E(Text(property.Value, "description"))}</td></tr>\n");
                }
                html.Append("</table></div>\n");
            }
            else
            {
                html.Append($"<p>{types.Html(schema.Value)}</p>\n");
            }
            html.Append("</section>\n");
        }
        return html.ToString();
    }

    /// <summary>
    /// Type names as a reader expects them: a schema's name linked to its fields, <c>T[]</c> for an
    /// array, and <c>any</c> for free-form JSON (the schema the generator names after
    /// <see cref="JsonElement"/>, which says nothing) rather than that .NET type's name.
    /// </summary>
    private sealed class TypeNames(JsonElement schemas)
    {
        public bool IsFreeForm(string name) =>
            schemas.ValueKind == JsonValueKind.Object && schemas.TryGetProperty(name, out var schema) && IsFreeForm(schema);

        private static bool IsFreeForm(JsonElement schema) =>
            schema.ValueKind == JsonValueKind.Object && !schema.EnumerateObject().Any(p => p.Name is "type" or "properties" or "items" or "oneOf" or "anyOf" or "allOf" or "enum" or "$ref");

        public string Html(JsonElement schema)
        {
            if (schema.ValueKind != JsonValueKind.Object)
            {
                return "";
            }
            if (Text(schema, "$ref") is { Length: > 0 } reference)
            {
                var name = reference[(reference.LastIndexOf('/') + 1)..];
                return IsFreeForm(name) ? "any JSON" : $"<a href=\"#schema-{Slug(name)}\">{E(name)}</a>";
            }
            if (IsFreeForm(schema))
            {
                return "any JSON";
            }
            foreach (var combination in (string[])["oneOf", "anyOf", "allOf"])
            {
                if (schema.TryGetProperty(combination, out var parts))
                {
                    return string.Join(combination == "allOf" ? " &amp; " : " | ", parts.EnumerateArray().Select(Html).Distinct());
                }
            }
            var kinds = schema.TryGetProperty("type", out var type)
                ? type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString() ?? "").ToList() : [type.GetString() ?? ""]
                : [];
            var names = kinds.Select(kind => kind switch
            {
                "array" => (schema.TryGetProperty("items", out var items) ? Html(items) : "any JSON") + "[]",
                "object" when schema.TryGetProperty("additionalProperties", out var values) && values.ValueKind == JsonValueKind.Object
                    => "object of " + Html(values),
                "string" or "integer" or "number" when Text(schema, "format") is { Length: > 0 } format => $"{kind} <span class=\"muted\">({E(format)})</span>",
                _ => E(kind),
            }).ToList();
            if (names.Count == 0)
            {
                names.Add(schema.TryGetProperty("properties", out _) ? "object" : "any JSON");
            }
            var text = string.Join(" | ", names);
            if (schema.TryGetProperty("enum", out var values2))
            {
                text += ": " + string.Join(", ", values2.EnumerateArray().Select(v => "<code>" + E(v.GetRawText()) + "</code>"));
            }
            return text;
        }
    }

    private static string TagName(JsonElement tag) => tag.ValueKind == JsonValueKind.Object ? Text(tag, "name") : tag.GetString() ?? "Other";

    private static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    private static string Slug(string text) => string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')).Trim('-');

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
