using System.Net;
using System.Text;
using System.Text.Json;

namespace Switchboard.Tests;

/// <summary>Small helpers for talking to the management API in tests.</summary>
internal static class Api
{
    public const string AccountBase = "/v4/accounts/1000002/integrations/events";
    public const string ExtensionBase = "/v4/accounts/1000002/extensions/7777777/integrations/events";
    public const string OtherAccountBase = "/v4/accounts/2000003/integrations/events";

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Asserts the status and returns the body.</summary>
    public static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts an error answer in the <c>@error</c> envelope and returns the <c>@error</c> object.</summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await ExpectAsync(response, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = body.GetProperty("@error");
        Assert.Equal((int)status, error.GetProperty("@httpStatusCode").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("@message").GetString()));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", error.GetProperty("@time").GetString());
        return error;
    }

    /// <summary>The <c>@fields</c> entry of a 422 answer for <paramref name="field"/>.</summary>
    public static async Task<string> FieldErrorAsync(HttpResponseMessage response, string field)
    {
        var error = await ErrorAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.True(error.TryGetProperty("@fields", out var fields), "no @fields in " + error);
        Assert.True(fields.TryGetProperty(field, out var message), $"no @fields entry {field} in {fields}");
        return message.GetString()!;
    }

    public static async Task<long> CreateAsync(HttpClient client, string url, string json) =>
        (await ExpectAsync(await client.PostAsync(url, Json(json)), HttpStatusCode.Created)).GetProperty("id").GetInt64();
}
