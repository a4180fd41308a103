using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;
using Switchboard.Storage;

namespace Switchboard.Tests;

/// <summary>
/// The OpenAPI document is one a generator can trust: Kiota (the repository's local tool) generates a
/// C# client from what a real hub serves, and the quick start runs through that client against the hub.
/// </summary>
public class GeneratedClientTests
{
    private const long VoipId = 1000002;

    [Fact]
    public async Task A_client_Kiota_generates_from_the_served_document_runs_the_quick_start()
    {
        await using var hub = await TestHub.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        using var account = await hub.ClientAsync(TokenScope.Account, VoipId);
        using var ingest = await hub.ClientAsync(TokenScope.Operator);
        var folder = Directory.CreateTempSubdirectory("switchboard-kiota-").FullName;
        try
        {
            var document = Path.Combine(folder, "openapi.json");
            await File.WriteAllTextAsync(document, await hub.Http.GetStringAsync("/openapi/v1.json"));
            File.Copy(Path.Combine(AppContext.BaseDirectory, "GeneratedClient", "QuickStart.cs"), Path.Combine(folder, "QuickStart.cs"));
            await File.WriteAllTextAsync(Path.Combine(folder, "QuickStart.csproj"), Project());

            // The README's `dotnet test` on a new clone: the repository's own tools (.config/dotnet-tools.json) are not restored yet.
            await RunAsync(Root(), "dotnet", "tool", "restore");
            await RunAsync(Root(), "dotnet", "kiota", "generate", "--language", "CSharp", "--openapi", document, "--output", Path.Combine(folder, "Client"),
                "--namespace-name", "Switchboard.Client", "--class-name", "HubClient", "--exclude-backward-compatible", "--log-level", "Error");
            await RunAsync(folder, "dotnet", "build", "-nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false");
            var output = await RunAsync(folder, "dotnet", Path.Combine(folder, "bin", "Debug", "net10.0", "QuickStart.dll"),
                hub.Url, Token(account), Token(ingest), receiver.Url, VoipId.ToString(CultureInfo.InvariantCulture));

            Assert.Equal(
                [
                    "callback 1 HTTP",
                    "listener 1 2.0.0 tags recording",
                    "ingested 1",
                    "delivery recording delivered total 1 limit 10",
                    "refused 409 Callback is in use. Look for listeners using it.",
                ],
                output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Single(receiver.Events);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Token(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>A console project for the generated client, on the Kiota libraries at the versions Directory.Packages.props pins.</summary>
    private static string Project()
    {
        var pinned = XDocument.Load(Path.Combine(Root(), "Directory.Packages.props")).Descendants("PackageVersion")
            .Where(p => ((string)p.Attribute("Include")!).StartsWith("Microsoft.Kiota.", StringComparison.Ordinal))
            .Select(p => $"""    <PackageReference Include="{p.Attribute("Include")!.Value}" Version="{p.Attribute("Version")!.Value}" />""");
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
            {string.Join('\n', pinned)}
              </ItemGroup>
            </Project>
            """;
    }

    private static async Task<string> RunAsync(string directory, string command, params string[] args)
    {
        var start = new ProcessStartInfo(command, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["KIOTA_UPDATE__DISABLED"] = "true";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }

    private static string Root()
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
