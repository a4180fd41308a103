namespace Switchboard.Events.AspNetCore.Tests;

/// <summary>Every C# snippet of the receiving-events documents is code that compiles: the sample's or <see cref="DocExamples"/>.</summary>
public class DocSnippetTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> Documents() =>
        new("docs/receiving-events.md", "src/Switchboard.Events.AspNetCore/README.md");

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_csharp_snippet_is_compiled_code(string document)
    {
        var sources = Directory.EnumerateFiles(Path.Combine(Root, "samples", "CallMonitor"), "*.cs")
            .Append(Path.Combine(Root, "tests", "Switchboard.Events.AspNetCore.Tests", "DocExamples.cs"))
            .Select(p => Lines(File.ReadAllText(p)))
            .ToList();

        var snippets = Snippets(File.ReadAllText(Path.Combine(Root, document))).ToList();

        Assert.NotEmpty(snippets);
        foreach (var snippet in snippets)
        {
            var lines = Lines(snippet);
            Assert.True(sources.Any(source => Contains(source, lines)), $"{document}: this snippet is in no compiled file:\n{snippet}");
        }
    }

    private static IEnumerable<string> Snippets(string markdown)
    {
        var parts = markdown.Split("```csharp\n");
        return parts.Skip(1).Select(p => p[..p.IndexOf("```", StringComparison.Ordinal)]);
    }

    /// <summary>The non-empty lines without their indentation, which differs between a method body and a page.</summary>
    private static string[] Lines(string code) =>
        [.. code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    private static bool Contains(string[] source, string[] lines) =>
        Enumerable.Range(0, Math.Max(0, source.Length - lines.Length + 1)).Any(i => source.AsSpan(i, lines.Length).SequenceEqual(lines));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Switchboard.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (Switchboard.slnx) is not above " + AppContext.BaseDirectory);
    }
}
