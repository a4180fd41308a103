using Switchboard.Storage;
using static Switchboard.Tests.Api;

namespace Switchboard.Tests;

/// <summary>delivery.md, google-analytics: parameters outside the allowed ones are 422 at create time, naming the key.</summary>
public class ApplicationParametersTests(SharedHub shared) : IClassFixture<SharedHub>
{
    [Theory]
    [InlineData("""{"tracking_id": "UA-1-1", "static": {"cd6": "x"}}""", "config.parameters.static.cd6")]
    [InlineData("""{"tracking_id": "UA-1-1", "dynamic": {"tid": "direction"}}""", "config.parameters.dynamic.tid")]
    [InlineData("""{"tracking_id": "UA-1-1", "dynamic": {"ea": "duration"}}""", "config.parameters.dynamic.ea")]
    [InlineData("""{"tracking_id": "UA-1-1", "static": {"ec": {"a": 1}}}""", "config.parameters.static.ec")]
    [InlineData("""{"tracking_id": "UA-1-1", "api_secret": "s"}""", "config.parameters.api_secret")]
    [InlineData("""{"tracking_id": "G-ABC123"}""", "config.parameters.api_secret")]
    [InlineData("""{"tracking_id": "GA-1"}""", "config.parameters.tracking_id")]
    [InlineData("""{"tracking_id": "UA-1-1", "colour": "red"}""", "config.parameters.colour")]
    public async Task Google_analytics_parameters_are_checked_at_create_time(string parameters, string field)
    {
        using var account = await shared.Hub.ClientAsync(TokenScope.Account, 1000002);

        var response = await account.PostAsync($"{AccountBase}/callbacks", Json($$$"""{"config": {"application": "google-analytics", "parameters": {{{parameters}}}}}"""));

        await FieldErrorAsync(response, field);
    }
}
