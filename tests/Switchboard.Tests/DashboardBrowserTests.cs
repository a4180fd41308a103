using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchboard.Storage;
using static Microsoft.Playwright.Assertions;
using static Switchboard.Tests.Api;
using static Switchboard.Tests.Pipeline;

namespace Switchboard.Tests;

/// <summary>The dashboard (api.md, Dashboard) as a person uses it, in a real browser against a real hub and receiver.</summary>
public class DashboardBrowserTests(DashboardBrowser browser) : IClassFixture<DashboardBrowser>
{
    private const string CallStep = "inbound-call-to-device/1-1st-leg-new.json";

    private TestHub Hub => browser.Hub;

    [BrowserFact]
    public async Task A_customer_creates_a_listener_sees_why_its_callback_fails_and_once_the_receiver_is_fixed_redelivers_and_replays_the_failures()
    {
        const long voipId = 3100001;
        await using var receiver = await Receiver.StartAsync();
        var receiverFixed = false;
        receiver.Answer = r => (IsVerification(r) || Volatile.Read(ref receiverFixed) ? 200 : 500, null);
        using var producer = await Hub.ClientAsync(TokenScope.Operator);
        var page = await browser.SignedInAsync(await browser.TokenAsync(TokenScope.Account, voipId));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Listeners");

        await page.ClickAsync("nav >> text=New listener");
        await page.FillAsync("#url", receiver.Url);
        await page.FillAsync("#name", "Order desk");
        await page.FillAsync("#subscriptions", "call\nmessage inbound");
        await DashboardBrowser.ScreenshotAsync(page, "new-listener");
        await page.ClickAsync("button:has-text('Create listener')");
        await Expect(page.Locator(".notice.ok")).ToContainTextAsync("created");
        await Expect(page.Locator("[data-live-state]")).ToHaveTextAsync("Live");

        // The platform reports two calls; the delivery log shows them failing without a reload.
        await IngestAsync(producer, ActivityOf(CallStep, voipId));
        await IngestAsync(producer, ActivityOf("inbound-call-to-device/2-1st-leg-connecting.json", voipId));
        await Expect(page.Locator("tbody tr .badge.failed")).ToHaveCountAsync(2);
        // …and the listener's summary beside it follows: failing, with the receiver's answer.
        await Expect(page.Locator("[data-summary] .badge.failing")).ToHaveTextAsync("Failing");
        await Expect(page.Locator("[data-summary]")).ToContainTextAsync("answered 500 Internal Server Error");
        await DashboardBrowser.ScreenshotAsync(page, "delivery-log");

        await page.ClickAsync("nav >> text=Listeners");
        await Expect(page.Locator(".badge.failing")).ToHaveTextAsync("Failing");
        await Expect(page.Locator(".card")).ToContainTextAsync("answered 500 Internal Server Error");
        await Expect(page.Locator(".card")).ToContainTextAsync("Failing since");
        await DashboardBrowser.ScreenshotAsync(page, "overview");

        await page.ClickAsync("text=Delivery log");
        await page.Locator("tbody tr a").First.ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Event: call");
        var attempts = page.Locator("table tbody tr");
        await Expect(attempts).ToHaveCountAsync(3);
        await Expect(attempts.First).ToContainTextAsync("HTTP 500");
        await Expect(attempts.First).ToContainTextAsync(receiver.Url);
        await DashboardBrowser.ScreenshotAsync(page, "event");

        Volatile.Write(ref receiverFixed, true);
        await page.ClickAsync("button:has-text('Redeliver')");
        await Expect(page.Locator(".notice.ok")).ToContainTextAsync("Queued for delivery again");
        await ReloadUntilAsync(page, async () => await page.Locator("dl.facts .badge.delivered").CountAsync() == 1);
        await Expect(page.Locator("table tbody tr").Last).ToContainTextAsync("HTTP 200");
        var uuid = page.Url.Split('/')[^1];
        Assert.Equal(4, receiver.Events.Count(r => r.Headers["webhook-id"] == uuid));

        // The other failure goes again with a replay of the day's failures, and arrives while the log is watched.
        await page.Locator(".crumbs a").Nth(1).ClickAsync();
        await page.ClickAsync("button:has-text('Replay')");
        await Expect(page.Locator(".notice.ok")).ToContainTextAsync("1 failed event queued again");
        await Expect(page.Locator("tbody tr .badge.delivered")).ToHaveCountAsync(2);
        await Expect(page.Locator("tbody tr .badge.failed")).ToHaveCountAsync(0);
        Assert.Equal(2, receiver.Events.Where(r => r.Headers["webhook-id"] != uuid).Select(r => r.Headers["webhook-id"]).Distinct().Count() + 1);
        await Expect(page.Locator("[data-summary] .counts tbody tr").First).ToContainTextAsync("Last hour20");
        await DashboardBrowser.ScreenshotAsync(page, "replayed");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task A_token_of_account_B_sees_none_of_account_A_s_pages_by_link_or_by_typing_the_url()
    {
        const long accountA = 3200001;
        const long accountB = 3200002;
        await using var receiver = await Receiver.StartAsync();
        using var a = await Hub.ClientAsync(TokenScope.Account, accountA);
        using var producer = await Hub.ClientAsync(TokenScope.Operator);
        var baseA = $"/v4/accounts/{accountA}/integrations/events";
        var listener = (await ListenAsync(a, baseA, receiver.Url, [["call"]])).GetProperty("id").GetInt64();
        await IngestAsync(producer, ActivityOf(CallStep, accountA));
        var uuid = (await DeliveriesApiTests.WaitForAsync(a, $"{baseA}/listeners/{listener}/events", _ => true, "the event")).GetProperty("items")[0].GetProperty("uuid").GetString();

        var page = await browser.SignedInAsync(await browser.TokenAsync(TokenScope.Account, accountB));
        await Expect(page.Locator(".empty h2")).ToHaveTextAsync("No listeners yet");
        Assert.DoesNotContain(receiver.Url, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(await page.Locator($"a[href*='/accounts/{accountA}']").AllAsync());

        string[] pagesOfA =
        [
            $"/ui/accounts/{accountA}", $"/ui/accounts/{accountA}/listeners/{listener}", $"/ui/accounts/{accountA}/listeners/{listener}/events/{uuid}",
            $"/ui/accounts/{accountA}/listeners/{listener}/live", $"/ui/accounts/{accountA}/extensions/1/listeners/{listener}", "/ui/hub",
        ];
        foreach (var url in pagesOfA)
        {
            var response = await page.GotoAsync(url);
            Assert.True(response!.Status == 403, $"{url} answered {response.Status}");
            Assert.DoesNotContain(receiver.Url, await page.ContentAsync(), StringComparison.Ordinal);
        }
        foreach (var url in (string[])[$"/ui/accounts/{accountB}/listeners/{listener}", $"/ui/accounts/{accountB}/listeners/{listener}/events/{uuid}"])
        {
            var response = await page.GotoAsync(url);
            Assert.True(response!.Status == 404, $"{url} answered {response.Status}");
            Assert.DoesNotContain(receiver.Url, await page.ContentAsync(), StringComparison.Ordinal);
        }

        // Nor may B change A's things with a form of its own (a valid antiforgery token of B's session).
        await page.GotoAsync($"/ui/accounts/{accountB}/listeners/new");
        var form = await FormFieldsAsync(page);
        foreach (var (url, status) in (ValueTuple<string, int>[])[($"/ui/accounts/{accountA}/listeners/{listener}/delete", 403), ($"/ui/accounts/{accountB}/listeners/{listener}/delete", 404)])
        {
            var response = await page.Context.APIRequest.PostAsync(url, new() { Form = form, MaxRedirects = 0 });
            Assert.True(response.Status == status, $"{url} answered {response.Status}");
        }
        await ExpectAsync(await a.GetAsync($"{baseA}/listeners/{listener}"), HttpStatusCode.OK);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task A_form_posted_without_its_antiforgery_token_is_refused_and_changes_nothing()
    {
        const long voipId = 3300001;
        await using var receiver = await Receiver.StartAsync();
        using var account = await Hub.ClientAsync(TokenScope.Account, voipId);
        var accountBase = $"/v4/accounts/{voipId}/integrations/events";
        var listener = (await ListenAsync(account, accountBase, receiver.Url, [["call"]])).GetProperty("id").GetInt64();
        var page = await browser.SignedInAsync(await browser.TokenAsync(TokenScope.Account, voipId));
        await page.GotoAsync($"/ui/accounts/{voipId}/listeners/{listener}");
        var form = await FormFieldsAsync(page);
        var deleteUrl = $"/ui/accounts/{voipId}/listeners/{listener}/delete";

        var forged = page.Context.APIRequest;
        var withoutToken = await forged.PostAsync(deleteUrl, new() { Form = page.Context.APIRequest.CreateFormData(), MaxRedirects = 0 });
        Assert.Equal(400, withoutToken.Status);
        Assert.Contains("did not come from this page", await withoutToken.TextAsync(), StringComparison.Ordinal);
        var signInWithoutToken = await forged.PostAsync("/ui/sign-in", new() { Form = forged.CreateFormData().Set("token", "sb_x"), MaxRedirects = 0 });
        Assert.Equal(400, signInWithoutToken.Status);
        await ExpectAsync(await account.GetAsync($"{accountBase}/listeners/{listener}"), HttpStatusCode.OK);

        // The same post with the page's token does what it says: the refusal was the missing token's.
        var withToken = await forged.PostAsync(deleteUrl, new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(302, withToken.Status);
        await ErrorAsync(await account.GetAsync($"{accountBase}/listeners/{listener}"), HttpStatusCode.NotFound);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task An_operator_sees_the_hub_s_last_hour_and_the_callbacks_failing_across_accounts()
    {
        const long voipId = 3400001;
        await using var broken = await Receiver.StartAsync();
        broken.Answer = r => (IsVerification(r) ? 200 : 503, null);
        await using var healthy = await Receiver.StartAsync();
        using var account = await Hub.ClientAsync(TokenScope.Account, voipId);
        using var producer = await Hub.ClientAsync(TokenScope.Operator);
        var accountBase = $"/v4/accounts/{voipId}/integrations/events";
        var failing = await ListenAsync(account, accountBase, broken.Url, [["message"]], callbackFields: ", \"name\": \"Ticket system\"");
        await ListenAsync(account, accountBase, healthy.Url, [["call"]], callbackFields: ", \"name\": \"Call analytics\"");
        await IngestBatchAsync(producer, Enumerable.Range(0, 40).Select(i => ActivityOf(CallStep, voipId)));
        await IngestAsync(producer, ActivityOf("message.json", voipId));
        await DeliveriesApiTests.WaitForAsync(account, $"{accountBase}/listeners/{failing.GetProperty("id").GetInt64()}/events", l => l.GetProperty("items")[0].GetProperty("status").GetString() == "failed", "the failed message");
        await healthy.WaitForEventsAsync(40);

        var page = await browser.SignedInAsync(await browser.TokenAsync(TokenScope.Operator));
        await Expect(page.Locator("h1")).ToHaveTextAsync("The hub");
        await Expect(page.Locator("svg.chart")).ToHaveCountAsync(4);
        var row = page.Locator("tr", new() { HasText = "Ticket system" });
        await Expect(row).ToContainTextAsync(voipId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(row).ToContainTextAsync(broken.Url);
        Assert.Equal(0, await page.Locator("tr", new() { HasText = "Call analytics" }).CountAsync());
        await DashboardBrowser.ScreenshotAsync(page, "hub");

        // From there, the failing account's pages, as the operator may see every account.
        await row.Locator("a").ClickAsync();
        await Expect(page.Locator(".card", new() { HasText = "Ticket system" }).Locator(".badge")).ToHaveTextAsync("Failing");
        await Expect(page.Locator(".card", new() { HasText = "Call analytics" }).Locator(".badge")).ToHaveTextAsync("Healthy");
        await page.Context.CloseAsync();

        var phone = await browser.SignedInAsync(await browser.TokenAsync(TokenScope.Account, voipId), 390, 844);
        await DashboardBrowser.ScreenshotAsync(phone, "phone", fullPage: false);
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the overview is wider than a phone");
        await phone.Context.CloseAsync();
        var dark = await browser.SignedInAsync(await browser.TokenAsync(TokenScope.Account, voipId), scheme: ColorScheme.Dark);
        await DashboardBrowser.ScreenshotAsync(dark, "dark");
        await dark.Context.CloseAsync();
    }

    private static bool IsVerification(ReceivedRequest request) =>
        request.Headers.TryGetValue("webhook-id", out var id) && id.StartsWith("test_", StringComparison.Ordinal);

    /// <summary>The hidden fields of the page's first form that posts: its antiforgery token.</summary>
    private static async Task<IFormData> FormFieldsAsync(IPage page)
    {
        var hidden = page.Locator("form[method=post] input[type=hidden]").First;
        return page.Context.APIRequest.CreateFormData().Set((await hidden.GetAttributeAsync("name"))!, (await hidden.GetAttributeAsync("value"))!);
    }

    private static async Task ReloadUntilAsync(IPage page, Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{page.Url} did not get there");
            await Task.Delay(200);
            await page.ReloadAsync();
        }
    }

    [BrowserFact]
    public async Task The_api_reference_fits_a_laptop_and_a_phone_with_scripts_off()
    {
        foreach (var (width, height) in new[] { (1280, 900), (390, 844) })
        {
            var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, BaseURL = Hub.Url, JavaScriptEnabled = false });
            var page = await context.NewPageAsync();
            var outside = new List<string>();
            page.Request += (_, request) =>
            {
                if (!request.Url.StartsWith(Hub.Url, StringComparison.Ordinal))
                {
                    outside.Add(request.Url);
                }
            };

            await page.GotoAsync("/docs");

            await Expect(page.Locator("#authentication")).ToBeVisibleAsync();
            Assert.True(await page.Locator(".op").CountAsync() > 50);
            var widest = await page.EvaluateAsync<double>("Math.max(...[...document.querySelectorAll('.op, .schema')].map(e => e.getBoundingClientRect().right))");
            Assert.True(widest <= width, $"at {width} px an operation card reaches {widest} px");
            var widestElements = await page.EvaluateAsync<string>(
                "[...document.querySelectorAll('*')].map(e => [e.scrollWidth, e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().width]).sort((a, b) => b[0] - a[0]).slice(0, 6).map(x => x.join(' ')).join('; ')");
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"the page is wider than {width} px; widest: {widestElements}");
            Assert.Empty(outside);
            if (width == 1280)
            {
                Directory.CreateDirectory(DashboardBrowser.ScreenshotFolder);
                await page.GotoAsync("/docs#tag-Listeners");
                await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardBrowser.ScreenshotFolder, "api-docs.png") });
            }
            await context.CloseAsync();
        }
    }
}
