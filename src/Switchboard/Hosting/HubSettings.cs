namespace Switchboard.Hosting;

/// <summary>
/// What <c>switchboard serve</c> was asked for: where to listen, where the data is (a SQLite folder,
/// or a PostgreSQL connection string, which may also come as the setting Storage:Postgres), and
/// any <c>--Section:Key=value</c> settings.
/// </summary>
internal sealed record HubSettings(string Urls, string DataDirectory, IReadOnlyList<string> ConfigurationArgs, string? Postgres = null)
{
    public const string DefaultUrls = "http://127.0.0.1:8080";
    public const string DefaultDataDirectory = "./data";
}
