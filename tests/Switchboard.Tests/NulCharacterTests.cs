using System.Net;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>
/// A string with the NUL character (<c>\u0000</c>) is valid JSON, but PostgreSQL cannot store it in text
/// (found by the API fuzz test: a 500 on PostgreSQL). It is refused with 422 naming the field on both
/// backends, so the API answers the same whatever the storage.
/// </summary>
public class NulCharacterTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private TestHub Hub => shared.Hub;

    [Theory]
    [InlineData("/profiles", """{"name": "Ops\u0000"}""", "name")]
    [InlineData("/profiles", """{"name": "Ops", "support_email": "ops\u0000@example.org"}""", "support_email")]
    [InlineData("/callbacks", """{"name": "\u0000", "config": {"email": "ops@example.org"}}""", "name")]
    [InlineData("/overview", """{":callback": {"config": {"email": "ops@example.org"}, ":profile": {"name": "a\u0000b"}}, ":subscriptions": [{":tags": ["call"]}]}""", ":callback.:profile.name")]
    public async Task A_NUL_in_a_string_field_is_refused_with_422_naming_it(string collection, string body, string field)
    {
        using var client = await Hub.ClientAsync(TokenScope.Account, 1000002);
        await FieldErrorAsync(await client.PostAsync(AccountBase + collection, Json(body)), field);
    }

    [Fact]
    public async Task A_NUL_in_a_schedule_name_is_refused_with_422_naming_it()
    {
        using var client = await Hub.ClientAsync(TokenScope.Account, 1000002);
        await FieldErrorAsync(await client.PostAsync("/v4/accounts/1000002/schedules", Json("""{"name": "Office\u0000", "time_zone": "UTC", "rules": []}""")), "name");
    }

    [Theory]
    [InlineData("/profiles?filters[name]=%00", "filters[name]")]
    [InlineData("/callbacks?filters[mode]=HTTP%00", "filters[mode]")]
    public async Task A_NUL_in_a_list_filter_is_refused_with_422_naming_it(string query, string field)
    {
        using var client = await Hub.ClientAsync(TokenScope.Account, 1000002);
        await FieldErrorAsync(await client.GetAsync(AccountBase + query), field);
    }

    [Theory]
    [InlineData("idempotency_key", "\"k\\u0000\"", "idempotency_key")]
    [InlineData("data_object_uuid", "\"u\\u0000\"", "data_object_uuid")]
    public async Task A_NUL_in_an_activity_string_is_refused_with_422_naming_it(string name, string value, string field)
    {
        using var producer = await Hub.ClientAsync(TokenScope.Operator);
        var activity = $$$"""{"voip_id": 1000002, "data_type": "recording", "{{{name}}}": {{{value}}}, "data": {"uuid": "11111111-1111-1111-1111-111111111111", "type": "call", "size": 1, "duration": 1} }""";
        await FieldErrorAsync(await producer.PostAsync("/v4/ingest", Json(activity)), field);
    }

    [Fact]
    public async Task A_NUL_in_the_uuid_of_an_activity_s_data_is_refused_with_422()
    {
        using var producer = await Hub.ClientAsync(TokenScope.Operator);
        var response = await producer.PostAsync("/v4/ingest", Json("""{"voip_id": 1000002, "data_type": "recording", "data": {"uuid": "\u0000", "type": "call", "size": 1, "duration": 1}}"""));
        await ErrorAsync(response, HttpStatusCode.UnprocessableEntity);
    }
}
