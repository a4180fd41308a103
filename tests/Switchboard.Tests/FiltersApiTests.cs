using System.Net;
using System.Text.Json;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

public class FiltersApiTests
{
    private static async Task<string> FiltersUrlAsync(HttpClient client, string @base = AccountBase)
    {
        var callback = await CreateAsync(client, $"{@base}/callbacks", """{"config": {"email": "ops@example.org"}}""");
        var listener = await CreateAsync(client, $"{@base}/listeners", $$$"""{"callback_id": {{{callback}}}}""");
        return $"{@base}/listeners/{listener}/filters";
    }

    private const string Schedule = """{"name": "Office", "time_zone": "Europe/Berlin", "rules": [{"days": ["mon"], "from": "09:00", "to": "17:00"}]}""";

    [Fact]
    public async Task Number_filters_take_eq_in_or_match_and_not_logic_defaults_to_false()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = await FiltersUrlAsync(client);

        var eq = await ExpectAsync(await client.PostAsync(url, Json("""{"filter_type": "number", "filter_value": {"eq": "+15551234567"}}""")), HttpStatusCode.Created);
        var @in = await ExpectAsync(await client.PostAsync(url, Json("""{"filter_type": "number", "filter_value": {"in": ["+15551234567", "+442071234567", "+15551234567"]}, "not_logic": true}""")), HttpStatusCode.Created);
        var match = await ExpectAsync(await client.PostAsync(url, Json("""{"filter_type": "number", "filter_value": {"match": "+1555%"}}""")), HttpStatusCode.Created);

        Assert.Equal("number", eq.GetProperty("filter_type").GetString());
        Assert.Equal("+15551234567", eq.GetProperty("filter_value").GetProperty("eq").GetString());
        Assert.False(eq.GetProperty("not_logic").GetBoolean());
        Assert.Equal(url.Split('/')[^2], eq.GetProperty("listener_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, @in.GetProperty("filter_value").GetProperty("in").GetArrayLength());
        Assert.True(@in.GetProperty("not_logic").GetBoolean());
        Assert.Equal("+1555%", match.GetProperty("filter_value").GetProperty("match").GetString());
        Assert.Equal(3, (await BodyAsync(await client.GetAsync(url))).GetProperty("total").GetInt64());
        Assert.Equal(eq.GetRawText(), (await BodyAsync(await client.GetAsync($"{url}/{eq.GetProperty("id")}"))).GetRawText());
    }

    [Theory]
    [InlineData("""{"filter_type": "number", "filter_value": {}}""", "filter_value", "must have exactly one of eq, in, match")]
    [InlineData("""{"filter_type": "number", "filter_value": {"eq": "+15551234567", "match": "+1%"}}""", "filter_value", "must have exactly one of eq, in, match")]
    [InlineData("""{"filter_type": "number", "filter_value": {"eq": "15551234567"}}""", "filter_value.eq", "must be an E.164 number: + and up to 15 digits, not starting with 0")]
    [InlineData("""{"filter_type": "number", "filter_value": {"eq": "+05551234567"}}""", "filter_value.eq", "must be an E.164 number: + and up to 15 digits, not starting with 0")]
    [InlineData("""{"filter_type": "number", "filter_value": {"eq": "+1234567890123456"}}""", "filter_value.eq", "must be at most 16 characters")]
    [InlineData("""{"filter_type": "number", "filter_value": {"eq": 15551234567}}""", "filter_value.eq", "must be a string")]
    [InlineData("""{"filter_type": "number", "filter_value": {"in": []}}""", "filter_value.in", "must not be empty")]
    [InlineData("""{"filter_type": "number", "filter_value": {"in": ["+15551234567", "x"]}}""", "filter_value.in[1]", "must be an E.164 number: + and up to 15 digits, not starting with 0")]
    [InlineData("""{"filter_type": "number", "filter_value": {"match": "+1 555%"}}""", "filter_value.match", "must be a pattern of +, digits and % (any run of characters)")]
    [InlineData("""{"filter_type": "number", "filter_value": {"eq": "+15551234567", "when": "now"}}""", "filter_value.when", "is not a known field")]
    [InlineData("""{"filter_type": "time", "filter_value": {}}""", "filter_type", "must be one of number, schedule")]
    [InlineData("""{"filter_value": {"eq": "+15551234567"}}""", "filter_type", "is required")]
    [InlineData("""{"filter_type": "number"}""", "filter_value", "is required")]
    [InlineData("""{"filter_type": "number", "filter_value": "+15551234567"}""", "filter_value", "must be an object")]
    [InlineData("""{"filter_type": "number", "filter_value": {"eq": "+15551234567"}, "not_logic": "no"}""", "not_logic", "must be true or false")]
    [InlineData("""{"filter_type": "schedule", "filter_value": {"id": "1"}}""", "filter_value.id", "must be an integer")]
    [InlineData("""{"filter_type": "schedule", "filter_value": {"id": 424242}}""", "filter_value.id", "no schedule 424242 in this account")]
    public async Task Bad_filter_bodies_are_422_naming_the_field(string body, string field, string message)
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = await FiltersUrlAsync(client);

        Assert.Equal(message, await FieldErrorAsync(await client.PostAsync(url, Json(body)), field));
    }

    [Fact]
    public async Task Answers_write_phone_numbers_and_text_as_sent_not_as_unicode_escapes()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = await FiltersUrlAsync(client);
        var filter = await client.PostAsync(url, Json("""{"filter_type": "number", "filter_value": {"match": "+1555%"}}"""));
        var profile = await client.PostAsync("/v4/accounts/1000002/integrations/events/profiles", Json("""{"name": "<Ops> & 'Nuit' — Zürich"}"""));

        Assert.Contains("\"match\":\"+1555%\"", await filter.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"name\":\"<Ops> & 'Nuit' — Zürich\"", await profile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_number_list_may_hold_1000_numbers_but_not_1001()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = await FiltersUrlAsync(client);
        static string Body(int count) => JsonSerializer.Serialize(new { filter_type = "number", filter_value = new { @in = Enumerable.Range(0, count).Select(i => $"+1555{i:0000000}").ToArray() } });

        await CreateAsync(client, url, Body(1000));
        Assert.Equal("must have at most 1000 items", await FieldErrorAsync(await client.PostAsync(url, Json(Body(1001))), "filter_value.in"));
    }

    [Fact]
    public async Task Schedule_filters_name_a_schedule_of_the_same_account_even_from_an_extension()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var other = await hub.ClientAsync(TokenScope.Account, 2000003);
        var own = await CreateAsync(account, "/v4/accounts/1000002/schedules", Schedule);
        var foreign = await CreateAsync(other, "/v4/accounts/2000003/schedules", Schedule);
        var url = await FiltersUrlAsync(account, ExtensionBase);

        Assert.Equal($"no schedule {foreign} in this account",
            await FieldErrorAsync(await account.PostAsync(url, Json($$$"""{"filter_type": "schedule", "filter_value": {"id": {{{foreign}}}}}""")), "filter_value.id"));
        var created = await ExpectAsync(await account.PostAsync(url, Json($$$"""{"filter_type": "schedule", "filter_value": {"id": {{{own}}}}}""")), HttpStatusCode.Created);
        Assert.Equal(own, created.GetProperty("filter_value").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Filters_are_patched_field_by_field_and_a_new_type_needs_a_new_value()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);
        var url = await FiltersUrlAsync(client);
        var schedule = await CreateAsync(client, "/v4/accounts/1000002/schedules", Schedule);
        var id = await CreateAsync(client, url, """{"filter_type": "number", "filter_value": {"eq": "+15551234567"}}""");

        var inverted = await ExpectAsync(await client.PatchAsync($"{url}/{id}", Json("""{"not_logic": true}""")), HttpStatusCode.OK);
        Assert.True(inverted.GetProperty("not_logic").GetBoolean());
        Assert.Equal("+15551234567", inverted.GetProperty("filter_value").GetProperty("eq").GetString());

        var matched = await ExpectAsync(await client.PatchAsync($"{url}/{id}", Json("""{"filter_value": {"match": "%1234"}}""")), HttpStatusCode.OK);
        Assert.Equal("%1234", matched.GetProperty("filter_value").GetProperty("match").GetString());
        Assert.True(matched.GetProperty("not_logic").GetBoolean());

        Assert.Equal("is required when filter_type changes to schedule", await FieldErrorAsync(await client.PatchAsync($"{url}/{id}", Json("""{"filter_type": "schedule"}""")), "filter_value"));
        Assert.Equal("must have exactly one of eq, in, match", await FieldErrorAsync(await client.PatchAsync($"{url}/{id}", Json($$$"""{"filter_value": {"id": {{{schedule}}}}}""")), "filter_value"));
        var switched = await ExpectAsync(await client.PatchAsync($"{url}/{id}", Json($$$"""{"filter_type": "schedule", "filter_value": {"id": {{{schedule}}}}}""")), HttpStatusCode.OK);
        Assert.Equal("schedule", switched.GetProperty("filter_type").GetString());
        Assert.Equal(switched.GetRawText(), (await BodyAsync(await client.GetAsync($"{url}/{id}"))).GetRawText());

        await ExpectAsync(await client.DeleteAsync($"{url}/{id}"), HttpStatusCode.OK);
        await ErrorAsync(await client.GetAsync($"{url}/{id}"), HttpStatusCode.NotFound);
    }
}
