using System.Net;
using System.Text.Json;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

public class ApiDocsTests(SharedHub shared) : IClassFixture<SharedHub>
{
    /// <summary>Every route of api.md that this hub serves, under both bases.</summary>
    public static TheoryData<string, string> Routes()
    {
        var data = new TheoryData<string, string>();
        foreach (var @base in new[] { "/v4/accounts/{voip_id}/integrations/events", "/v4/accounts/{voip_id}/extensions/{extension_id}/integrations/events" })
        {
            foreach (var resource in new[] { "profiles", "callbacks", "listeners", "listeners/{listener_id}/filters" })
            {
                data.Add("get", $"{@base}/{resource}");
                data.Add("post", $"{@base}/{resource}");
                data.Add("get", $"{@base}/{resource}/{{id}}");
                data.Add("patch", $"{@base}/{resource}/{{id}}");
                data.Add("delete", $"{@base}/{resource}/{{id}}");
            }
            data.Add("get", $"{@base}/listeners/{{listener_id}}/subscriptions");
            data.Add("post", $"{@base}/listeners/{{listener_id}}/subscriptions");
            data.Add("get", $"{@base}/listeners/{{listener_id}}/subscriptions/{{id}}");
            data.Add("delete", $"{@base}/listeners/{{listener_id}}/subscriptions/{{id}}");
            data.Add("get", $"{@base}/overview");
            data.Add("post", $"{@base}/overview");
        }
        foreach (var (method, suffix) in new[] { ("get", ""), ("post", ""), ("get", "/{id}"), ("patch", "/{id}"), ("delete", "/{id}") })
        {
            data.Add(method, "/v4/accounts/{voip_id}/schedules" + suffix);
        }
        data.Add("get", "/healthz");
        data.Add("get", "/readyz");
        return data;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task The_openapi_document_describes_every_route_with_its_parameters_and_answers(string method, string path)
    {
        var hub = shared.Hub;

        var response = await hub.Http.GetAsync("/openapi/v1.json");

        var document = await ExpectAsync(response, HttpStatusCode.OK);
        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"{path} is not in the document");
        Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is not in the document");
        var parameters = operation.TryGetProperty("parameters", out var p) ? p.EnumerateArray().Select(x => x.GetProperty("name").GetString()).ToList() : [];
        foreach (var name in System.Text.RegularExpressions.Regex.Matches(path, @"\{(\w+)\}").Select(m => m.Groups[1].Value))
        {
            Assert.Contains(name, parameters);
        }
        var responses = operation.GetProperty("responses");
        Assert.True(responses.EnumerateObject().Any(r => r.Name.StartsWith('2')), $"{method} {path} documents no success answer");
        if (path.StartsWith("/v4/", StringComparison.Ordinal))
        {
            Assert.True(responses.TryGetProperty("401", out _));
        }
        // A list takes the paging of api.md, Lists.
        if (method == "get" && !path.EndsWith('}') && path.StartsWith("/v4/", StringComparison.Ordinal))
        {
            Assert.Contains("limit", parameters);
            Assert.Contains("offset", parameters);
        }
        if (method is "post" or "patch")
        {
            Assert.True(operation.TryGetProperty("requestBody", out _), $"{method} {path} documents no request body");
            Assert.True(responses.TryGetProperty("422", out _));
        }
    }

    [Fact]
    public async Task Schemas_use_the_wire_names()
    {
        var hub = shared.Hub;

        var schemas = (await BodyAsync(await hub.Http.GetAsync("/openapi/v1.json"))).GetProperty("components").GetProperty("schemas");

        Assert.True(schemas.GetProperty("Callback").GetProperty("properties").TryGetProperty("fallback_callback_id", out _));
        Assert.True(schemas.GetProperty("SubscriptionView").GetProperty("properties").TryGetProperty(":tags", out _));
        Assert.True(schemas.GetProperty("OverviewItem").GetProperty("properties").TryGetProperty(":callback", out _));
        Assert.True(schemas.GetProperty("ApiError").GetProperty("properties").TryGetProperty("@httpStatusCode", out _));
    }

    [Fact]
    public async Task The_docs_page_is_served_without_a_token_and_loads_nothing_from_elsewhere()
    {
        var hub = shared.Hub;

        var response = await hub.Http.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("/openapi/v1.json", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html);
    }

    [Fact]
    public async Task The_docs_page_shows_every_operation_and_the_bearer_token_without_running_a_script()
    {
        var hub = shared.Hub;

        var response = await hub.Http.GetAsync("/docs");

        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("/v4/accounts/{voip_id}/integrations/events/listeners</code>", html, StringComparison.Ordinal);
        Assert.Contains("List listeners", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#schema-PageOfListener\"", html, StringComparison.Ordinal);
        Assert.Contains("<code>fallback_callback_id</code>", html, StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer &lt;token&gt;", html, StringComparison.Ordinal);
        Assert.Contains("switchboard tokens create --account", html, StringComparison.Ordinal);
        // Free-form JSON (a callback's config, an activity's data) reads as such, not as the .NET type.
        Assert.DoesNotContain("JsonElement", html, StringComparison.Ordinal);
        Assert.Contains("any JSON", html, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none';", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}
