using System.Security.Cryptography;

namespace Switchboard.Dashboard;

/// <summary>An embedded file of the dashboard, with the hash that names its version in links.</summary>
internal sealed record DashboardAsset(byte[] Content, string ContentType, string Version);

/// <summary>
/// The dashboard's stylesheet and script, embedded in the executable (no files beside it, no CDN:
/// the hub may run without internet). Links carry a hash of the content, so browsers keep a
/// file until it changes.
/// </summary>
internal static class DashboardAssets
{
    public const string Path = DashboardHosting.Root + "/assets";

    private static readonly Dictionary<string, DashboardAsset> Files = Load();

    /// <summary>The link to a file, with its version.</summary>
    public static string Link(string name) => $"{Path}/{name}?v={Files[name].Version}";

    public static void MapDashboardAssets(this RouteGroupBuilder ui) =>
        ui.MapGet("/assets/{name}", (string name, string? v, HttpContext context) =>
        {
            if (!Files.TryGetValue(name, out var asset))
            {
                return Results.NotFound();
            }
            context.Response.Headers.CacheControl = v == asset.Version ? "public, max-age=31536000, immutable" : "no-cache";
            return Results.Bytes(asset.Content, asset.ContentType);
        });

    private static Dictionary<string, DashboardAsset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        const string prefix = "Switchboard.Dashboard.Assets.";
        var files = new Dictionary<string, DashboardAsset>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[prefix.Length..];
            var type = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8"
                : name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8"
                : "image/svg+xml";
            files[name] = new DashboardAsset(content, type, Convert.ToHexStringLower(SHA256.HashData(content))[..12]);
        }
        return files;
    }
}
