using static Switchboard.Events.AspNetCore.Tests.Deliveries;

namespace Switchboard.Events.AspNetCore.Tests;

/// <summary>At-least-once delivery in, one handler run per event uuid out.</summary>
public class DuplicateTests
{
    private static readonly string Secret = WebhookSignature.GenerateSecret();

    [Fact]
    public async Task A_second_delivery_of_the_same_uuid_is_answered_200_without_calling_the_handler_again()
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));
        var json = Fixture(CallConnected, NewUuid());

        var (first, _) = await app.SendAsync(Signed(json, Secret, app.Time.GetUtcNow()));
        // A retry is signed again, at its own time.
        app.Time.Advance(TimeSpan.FromSeconds(30));
        var (second, _) = await app.SendAsync(Signed(json, Secret, app.Time.GetUtcNow()));

        Assert.Equal((200, 200), (first, second));
        Assert.Single(app.Handled);
    }

    [Fact]
    public async Task Events_with_different_uuids_are_each_handled()
    {
        await using var app = await WebhookApp.StartAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await app.SendAsync(Unsigned(Fixture(CallConnected, NewUuid())))).Status);
        }

        Assert.Equal(3, app.Handled.Count);
    }

    [Fact]
    public async Task A_handler_that_throws_gets_500_and_the_hubs_retry_is_handled()
    {
        await using var app = await WebhookApp.StartAsync(o => o.Secrets.Add(Secret));
        var json = Fixture(CallConnected, NewUuid());
        app.OnEvent = (_, _) => app.Handled.Count == 1 ? throw new InvalidOperationException("database down") : Task.CompletedTask;

        var (failed, text) = await app.SendAsync(Signed(json, Secret, app.Time.GetUtcNow()));
        app.Time.Advance(TimeSpan.FromSeconds(5));
        var (retried, _) = await app.SendAsync(Signed(json, Secret, app.Time.GetUtcNow()));
        var (again, _) = await app.SendAsync(Signed(json, Secret, app.Time.GetUtcNow()));

        Assert.Equal((500, 200, 200), (failed, retried, again));
        Assert.DoesNotContain("database down", text, StringComparison.Ordinal);
        Assert.Equal(2, app.Handled.Count);
    }

    [Fact]
    public async Task Two_concurrent_deliveries_of_one_uuid_run_the_handler_once()
    {
        await using var app = await WebhookApp.StartAsync();
        var json = Fixture(CallConnected, NewUuid());
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.OnEvent = async (_, cancellationToken) =>
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
        };

        var first = app.SendAsync(Unsigned(json));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var (concurrent, text) = await app.SendAsync(Unsigned(json));
        release.SetResult();
        var (firstStatus, _) = await first;
        var (later, _) = await app.SendAsync(Unsigned(json));

        Assert.Equal(409, concurrent);
        Assert.Contains("is being handled", text, StringComparison.Ordinal);
        Assert.Equal((200, 200), (firstStatus, later));
        Assert.Single(app.Handled);
    }

    [Fact]
    public async Task After_the_window_a_uuid_is_handled_again()
    {
        await using var app = await WebhookApp.StartAsync(o =>
        {
            o.Secrets.Add(Secret);
            o.DuplicateWindow = TimeSpan.FromMinutes(10);
        });
        var json = Fixture(CallConnected, NewUuid());

        await app.SendAsync(Signed(json, Secret, app.Time.GetUtcNow()));
        app.Time.Advance(TimeSpan.FromMinutes(9));
        await app.SendAsync(Signed(json, Secret, app.Time.GetUtcNow()));
        Assert.Single(app.Handled);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.SendAsync(Signed(json, Secret, app.Time.GetUtcNow()));

        Assert.Equal(2, app.Handled.Count);
    }

    [Fact]
    public async Task Beyond_the_count_cap_the_oldest_uuid_is_forgotten_first()
    {
        await using var app = await WebhookApp.StartAsync(o => o.MaxRememberedEvents = 2);
        string[] jsons = [Fixture(CallConnected, NewUuid()), Fixture(CallConnected, NewUuid()), Fixture(CallConnected, NewUuid())];

        foreach (var json in jsons)
        {
            await app.SendAsync(Unsigned(json));
        }
        await app.SendAsync(Unsigned(jsons[2])); // remembered
        await app.SendAsync(Unsigned(jsons[1])); // remembered
        Assert.Equal(3, app.Handled.Count);
        await app.SendAsync(Unsigned(jsons[0])); // forgotten for the third

        Assert.Equal(4, app.Handled.Count);
    }

    [Fact]
    public async Task A_window_of_zero_remembers_nothing()
    {
        await using var app = await WebhookApp.StartAsync(o => o.DuplicateWindow = TimeSpan.Zero);
        var json = Fixture(CallConnected, NewUuid());

        await app.SendAsync(Unsigned(json));
        await app.SendAsync(Unsigned(json));

        Assert.Equal(2, app.Handled.Count);
    }
}
