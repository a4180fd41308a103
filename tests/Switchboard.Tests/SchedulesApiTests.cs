using System.Net;
using System.Text.Json;
using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

public class SchedulesApiTests
{
    private const string Url = "/v4/accounts/1000002/schedules";

    private const string Office = """
        {"name": "Office hours", "time_zone": "America/New_York",
         "rules": [{"days": ["mon","tue","wed","thu","fri"], "from": "09:00", "to": "17:30"}],
         "exceptions": [{"date": "2026-12-25", "open": false}, {"date": "2026-12-24", "open": true, "from": "09:00", "to": "12:00"}]}
        """;

    [Fact]
    public async Task Schedules_are_created_read_listed_updated_and_deleted()
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        var created = await ExpectAsync(await client.PostAsync(Url, Json(Office)), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal(1000002, created.GetProperty("voip_id").GetInt64());
        Assert.Equal("America/New_York", created.GetProperty("time_zone").GetString());
        Assert.Equal(5, created.GetProperty("rules")[0].GetProperty("days").GetArrayLength());
        Assert.Equal("17:30", created.GetProperty("rules")[0].GetProperty("to").GetString());
        var closed = created.GetProperty("exceptions")[0];
        Assert.Equal(["date", "open"], closed.EnumerateObject().Select(p => p.Name));
        Assert.Equal("12:00", created.GetProperty("exceptions")[1].GetProperty("to").GetString());
        Assert.Equal(created.GetRawText(), (await BodyAsync(await client.GetAsync($"{Url}/{id}"))).GetRawText());

        var renamed = await ExpectAsync(await client.PatchAsync($"{Url}/{id}", Json("""{"name": "Winter", "time_zone": "Europe/Berlin"}""")), HttpStatusCode.OK);
        Assert.Equal("Winter", renamed.GetProperty("name").GetString());
        Assert.Equal(created.GetProperty("rules").GetRawText(), renamed.GetProperty("rules").GetRawText());
        Assert.Equal(1, (await BodyAsync(await client.GetAsync($"{Url}?filters[name]=Winter"))).GetProperty("total").GetInt64());

        await ExpectAsync(await client.DeleteAsync($"{Url}/{id}"), HttpStatusCode.OK);
        await ErrorAsync(await client.GetAsync($"{Url}/{id}"), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"name": "x", "time_zone": "Mars/Olympus", "rules": []}""", "time_zone", "must be an IANA time zone name such as America/New_York")]
    [InlineData("""{"name": "x", "rules": []}""", "time_zone", "is required")]
    [InlineData("""{"name": "x", "time_zone": "UTC"}""", "rules", "is required")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [{"days": ["mon"], "from": "9:00", "to": "17:00"}]}""", "rules[0].from", "must be a time written HH:mm")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [{"days": ["mon"], "from": "09:00", "to": "25:00"}]}""", "rules[0].to", "must be a time written HH:mm (24:00 for the end of the day)")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [{"days": ["mon"], "from": "17:00", "to": "09:00"}]}""", "rules[0].to", "must be later than from")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [{"days": ["mon"], "from": "09:00", "to": "09:00"}]}""", "rules[0].to", "must be later than from")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [{"days": ["monday"], "from": "09:00", "to": "17:00"}]}""", "rules[0].days[0]", "must be one of mon, tue, wed, thu, fri, sat, sun")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [{"days": [], "from": "09:00", "to": "17:00"}]}""", "rules[0].days", "must not be empty")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": ["mon 9-5"]}""", "rules[0]", "must be an object with days, from and to")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [], "exceptions": [{"date": "2026-02-30", "open": false}]}""", "exceptions[0].date", "must be a date written yyyy-MM-dd")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [], "exceptions": [{"date": "2026-12-25"}]}""", "exceptions[0].open", "is required")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [], "exceptions": [{"date": "2026-12-25", "open": true}]}""", "exceptions[0].from", "is required")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [], "exceptions": [{"date": "2026-12-25", "open": false, "from": "09:00"}]}""", "exceptions[0].from", "is only for open: true")]
    [InlineData("""{"name": "x", "time_zone": "UTC", "rules": [], "exceptions": [{"date": "2026-12-25", "open": false}, {"date": "2026-12-25", "open": false}]}""", "exceptions[1].date", "is listed twice")]
    public async Task Bad_schedule_bodies_are_422_naming_the_field(string body, string field, string message)
    {
        await using var hub = await TestHub.StartAsync();
        using var client = await hub.ClientAsync(TokenScope.Account, 1000002);

        Assert.Equal(message, await FieldErrorAsync(await client.PostAsync(Url, Json(body)), field));
    }

    [Fact]
    public async Task Schedules_are_account_level_only()
    {
        await using var hub = await TestHub.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, 1000002);
        using var extension = await hub.ClientAsync(TokenScope.Extension, 1000002, 7777777);
        using var other = await hub.ClientAsync(TokenScope.Account, 2000003);
        var id = await CreateAsync(account, Url, Office);

        await ErrorAsync(await extension.GetAsync(Url), HttpStatusCode.Forbidden);
        await ErrorAsync(await extension.PostAsync(Url, Json(Office)), HttpStatusCode.Forbidden);
        await ErrorAsync(await other.GetAsync($"/v4/accounts/2000003/schedules/{id}"), HttpStatusCode.NotFound);
        await ErrorAsync(await other.GetAsync($"{Url}/{id}"), HttpStatusCode.Forbidden);
        await ErrorAsync(await account.GetAsync($"/v4/accounts/1000002/extensions/7777777/schedules"), HttpStatusCode.NotFound);
        Assert.Equal(0, (await BodyAsync(await other.GetAsync("/v4/accounts/2000003/schedules"))).GetProperty("total").GetInt64());
    }
}
