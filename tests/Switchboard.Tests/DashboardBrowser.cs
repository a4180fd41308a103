using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Switchboard.Storage;

namespace Switchboard.Tests;

/// <summary>
/// A test that drives the dashboard in Debian's headless Chromium. It runs wherever
/// <c>/usr/bin/chromium</c> is (<c>.ci/run</c> installs it) and is skipped, saying why, only where it is not.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!File.Exists(DashboardBrowser.Chromium))
        {
            Skip = $"No Chromium at {DashboardBrowser.Chromium}: apt-get install -y chromium (.ci/run does) to run the dashboard's browser tests.";
        }
    }
}

/// <summary>One browser and one hub for all the browser tests: each test uses accounts of its own and a fresh browser context.</summary>
public sealed class DashboardBrowser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    internal TestHub Hub { get; private set; } = null!;

    internal IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: <c>SWITCHBOARD_SCREENSHOTS</c> (docs/images to refresh the docs), else beside the tests.</summary>
    public static string ScreenshotFolder =>
        Environment.GetEnvironmentVariable("SWITCHBOARD_SCREENSHOTS") is { Length: > 0 } folder ? folder : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        // Failures settle within a second: three tries 100 ms apart.
        Hub = await TestHub.StartAsync(null, "--Delivery:RetrySchedule=100ms,100ms");
        if (!File.Exists(Chromium))
        {
            return;
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    internal async Task<string> TokenAsync(TokenScope scope, long? voipId = null)
    {
        var (_, token) = await Hub.Services.GetRequiredService<TokenStore>().CreateAsync(scope, voipId, null, CancellationToken.None);
        return token;
    }

    /// <summary>A new browser context (its own cookies) with a page signed in with <paramref name="token"/>.</summary>
    internal async Task<IPage> SignedInAsync(string token, int width = 1280, int height = 900, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, ColorScheme = scheme, BaseURL = Hub.Url });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/ui");
        await page.FillAsync("#token", token);
        await page.ClickAsync("button:has-text('Sign in')");
        // Polls the address and then the page's heading rather than waiting for a "load" event: after the
        // redirect the event can come before Playwright starts listening for it, and the wait then never ends.
        await Assertions.Expect(page).Not.ToHaveURLAsync(new Regex("/sign-in"));
        await Assertions.Expect(page.Locator("main h1")).ToBeVisibleAsync();
        return page;
    }

    internal static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, $"dashboard-{name}.png"), FullPage = fullPage });
    }

    public async Task DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }
        await Hub.DisposeAsync();
    }
}
