namespace Switchboard.Events.Tests;

public class FixtureTests
{
    [Fact]
    public void Fixtures_are_copied_beside_the_tests() =>
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "fixtures", "events", "message.json")));
}
