using Microsoft.Extensions.Time.Testing;
using Switchboard.Api;

namespace Switchboard.Tests;

/// <summary>api.md, Errors: one api-error per account, second, status and route; memory stays bounded.</summary>
public class ApiErrorLimiterTests
{
    private const string Route = "/v4/accounts/{voip_id}/integrations/events/callbacks";

    [Fact]
    public void The_same_status_and_route_is_let_through_once_a_second()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ApiErrorLimiter(clock);

        Assert.True(limiter.TryAcquire(1, 422, "POST", Route));
        Assert.False(limiter.TryAcquire(1, 422, "POST", Route));
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(limiter.TryAcquire(1, 422, "POST", Route));
        Assert.True(limiter.TryAcquire(1, 400, "POST", Route));
        Assert.True(limiter.TryAcquire(1, 422, "POST", "/v4/accounts/{voip_id}/integrations/events/profiles"));
        Assert.True(limiter.TryAcquire(2, 422, "POST", Route));
        Assert.True(limiter.TryAcquire(1, 422, "PATCH", Route));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryAcquire(1, 422, "POST", Route));
    }

    [Fact]
    public void An_account_inventing_routes_gets_a_bounded_number_a_second()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ApiErrorLimiter(clock);

        var let = Enumerable.Range(0, 100).Count(i => limiter.TryAcquire(1, 404, "GET", $"/v4/accounts/{{n}}/r{i}"));

        Assert.Equal(ApiErrorLimiter.MaxPerAccountPerSecond, let);
        Assert.True(limiter.TryAcquire(2, 404, "GET", "/v4/accounts/{n}/r0"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire(1, 404, "GET", "/v4/accounts/{n}/r99"));
    }

    [Fact]
    public void Memory_stays_bounded_and_frees_up_when_the_second_is_over()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ApiErrorLimiter(clock);

        for (var account = 0; account < ApiErrorLimiter.MaxEntries + 500; account++)
        {
            limiter.TryAcquire(account, 404, "POST", Route);
        }
        Assert.Equal(ApiErrorLimiter.MaxEntries, limiter.Count);
        Assert.False(limiter.TryAcquire(-1, 404, "POST", Route));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire(-1, 404, "POST", Route));
        Assert.Equal(1, limiter.Count);
    }
}
