namespace Switchboard.Events.Tests;

/// <summary>The conformance fixtures (a copy of shared/fixtures/events in tests/fixtures).</summary>
internal static class Fixtures
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures", "events");

    /// <summary>Every fixture event, by its path relative to the fixtures folder.</summary>
    public static IEnumerable<string> All() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.json", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Directory, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    public static TheoryData<string> Names() => new(All());

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    public static string Text(string name) => File.ReadAllText(Path.Combine(Directory, name));

    public static Event Read(string name)
    {
        var result = EventJson.Read(Bytes(name));
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Value!;
    }

    public static IReadOnlyList<string> CallFixtures { get; } =
        All().Where(n => n.StartsWith("inbound-call-to-device/", StringComparison.Ordinal)).ToList();
}
