using System.CommandLine;
using Microsoft.Extensions.Options;
using Switchboard.Hosting;

namespace Switchboard.Cli;

/// <summary><c>switchboard serve</c>: runs the hub until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen (semicolon-separated URLs).",
            DefaultValueFactory = _ => HubSettings.DefaultUrls,
        };
        var storage = new StorageOption();
        var command = new Command("serve", "Run the hub: on embedded SQLite, or with --postgres as one node of many on PostgreSQL. Any setting can be given as --Section:Key=value, as the environment variable SWITCHBOARD_Section__Key, or in appsettings.json (e.g. --Api:MaxBodyBytes=131072).")
        {
            urls,
        };
        storage.AddTo(command);
        // --Section:Key=value settings are not options of this command: they go to configuration.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new HubSettings(parseResult.GetValue(urls)!, parseResult.GetValue(storage.DataDir)!, parseResult.UnmatchedTokens, parseResult.GetValue(storage.Postgres));
            var error = parseResult.InvocationConfiguration.Error;
            var unknown = settings.ConfigurationArgs.Where(a => !a.StartsWith("--", StringComparison.Ordinal) || !a.Contains(':', StringComparison.Ordinal)).ToList();
            if (unknown.Count > 0)
            {
                await error.WriteLineAsync($"switchboard serve: unknown argument {unknown[0]}. Settings are written --Section:Key=value; see switchboard serve --help.");
                return 2;
            }
            WebApplication? app = null;
            try
            {
                app = Hub.Build(settings);
                await Hub.StartAsync(app, parseResult.InvocationConfiguration.Output, cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken);
                return 0;
            }
            catch (OptionsValidationException e)
            {
                await error.WriteLineAsync($"switchboard serve: invalid setting: {string.Join("; ", e.Failures)}");
                return 2;
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                await error.WriteLineAsync($"switchboard serve: {e.Message.Replace("Failed to bind to address ", "", StringComparison.Ordinal).TrimEnd('.')}: another program (or another switchboard serve) listens there. Choose another with --urls, e.g. --urls http://127.0.0.1:8081.");
                return 2;
            }
            catch (IOException e)
            {
                await error.WriteLineAsync($"switchboard serve: cannot listen on {settings.Urls}: {e.Message}");
                return 2;
            }
            finally
            {
                if (app is not null)
                {
                    await app.DisposeAsync();
                }
            }
        });
        return command;
    }
}
