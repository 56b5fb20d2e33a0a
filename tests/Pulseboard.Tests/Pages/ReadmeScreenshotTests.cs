using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Pulseboard.Log;
using Pulseboard.Server;
using Pulseboard.Tests.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Pages;

/// <summary>
/// The README's pictures, taken from what a newcomer sees: the demo's agents run for 240 s of fake time ending now
/// (long enough for its quiet model to go down: silent after 120 s, down 105 s later), then a real server serves the sample dashboards from that log.
/// Written to artifacts/screenshots/readme-*.png; copied to docs/images by hand after looking at them.
/// </summary>
[Collection(BrowserGroup.Name)]
public sealed class ReadmeScreenshotTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_demo_dashboards_draw_every_section()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(-240));
        long end;
        await using (var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data.Path, TimeProvider = clock }))
        {
            await DemoTests.RunDemoAsync(log, clock, TimeSpan.FromSeconds(240));
            end = log.End;
        }
        await using var server = await TestServer.StartAsync(TestServer.Options(data.Path));
        // The projector's first cycles replay the whole log: until then a page would be the 404 of a dashboard with no cache.
        await server.ProjectedAsync(end, TimeSpan.FromSeconds(60));
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, Locale = "en-US", TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        foreach (var id in new[] { "costs", "fleet", "arbitrage", "command-center", "kickstarter", "mindminer", "nova-launch", "schell-ip", "velocity", "checks" })
        {
            await page.GotoAsync($"{server.Url}/d/{id}");
            await page.Locator(".card").First.WaitForAsync();
            // Every section was fed: none waits for events, and every chart has its canvas.
            Assert.Equal(0, await page.Locator(".card > .empty:not([hidden])").CountAsync());
            foreach (var chart in await page.Locator(".card[data-kind=timeseries], .card[data-kind=daily]").AllAsync())
            {
                await chart.Locator("canvas").WaitForAsync();
            }
            if (id is "costs" or "fleet")
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageHarness.Screenshot($"readme-{id}.png"), FullPage = true });
            }
        }
        await page.GotoAsync(server.Url + "/");
        var fleet = page.Locator(".boards li:has(a[href='/d/fleet']) .flag.down");
        await fleet.WaitForAsync();
        Assert.Equal("✕ 1 down", await fleet.TextContentAsync()); // mistral-7b, quiet for its last two minutes
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageHarness.Screenshot("readme-index.png"), FullPage = true });
    }
}
