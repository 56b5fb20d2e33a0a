using Microsoft.Playwright;

namespace Pulseboard.Tests.Pages;

/// <summary>The index as an overview: what is stale, which sources are down, what was critical, one key number.</summary>
[Collection(BrowserGroup.Name)]
public sealed class IndexPageTests(BrowserFixture browser) : IAsyncLifetime
{
    private PageHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await PageHarness.StartAsync(browser.Browser);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static ILocator Card(IPage page, string id) => page.Locator($".boards li:has(a[href='/d/{id}'])");

    [Fact]
    public async Task The_index_lists_every_dashboard_with_a_link()
    {
        var page = await _harness.OpenAsync("/");
        await page.Locator(".boards a").First.WaitForAsync();
        Assert.Equal(11, await page.Locator(".boards a").CountAsync()); // the ten samples and the lab
        Assert.Equal("/d/costs", await page.Locator(".boards a", new PageLocatorOptions { HasText = "Costs" }).GetAttributeAsync("href"));
        Assert.Equal("no events yet", await Card(page, "arbitrage").Locator(".pill").TextContentAsync());
        Assert.True(_harness.ConsoleErrors.Count == 0, string.Join("\n", _harness.ConsoleErrors));
    }

    [Fact]
    public async Task A_card_says_sources_down_critical_items_freshness_and_the_key_number()
    {
        await _harness.FillCostsAsync();
        await _harness.PostAsync($$$"""{"dashboard":"fleet","section":"models","action":"heartbeat","source":"mistral","timestamp":"{{{PageHarness.Stamp(TimeSpan.FromMinutes(10))}}}","content":{"status":"ok"}}""");
        var page = await _harness.OpenAsync("/");
        var fleet = Card(page, "fleet");
        await fleet.Locator(".flag.down", new LocatorLocatorOptions { HasText = "down" }).WaitForAsync();
        Assert.Equal("✕ 1 down", await fleet.Locator(".flag.down").TextContentAsync()); // fleet.yaml: every 30s, grace 15s
        Assert.Equal("! 1 late", await fleet.Locator(".flag.late").TextContentAsync());
        var costs = Card(page, "costs");
        Assert.Equal("▲ 1 critical in 24 h", await costs.Locator(".flag.critical").TextContentAsync());
        Assert.Equal("fresh", await costs.Locator(".pill").TextContentAsync());
        Assert.Equal("Budget", await costs.Locator(".key .small").TextContentAsync());
        Assert.Equal("1250 of 1000 (gpu)", await costs.Locator(".key-value").TextContentAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageHarness.Screenshot("index.png"), FullPage = true });
    }

    [Fact]
    public async Task Worst_first_puts_down_and_critical_before_the_rest_and_stale_shows()
    {
        await _harness.FillCostsAsync();
        await _harness.PostAsync($$$"""{"dashboard":"fleet","section":"models","action":"heartbeat","source":"mistral","timestamp":"{{{PageHarness.Stamp(TimeSpan.FromMinutes(10))}}}","content":{"status":"ok"}}""");
        var page = await _harness.OpenAsync("/?sort=status", before: p => p.Clock.InstallAsync(new ClockInstallOptions { TimeDate = DateTime.UtcNow }));
        await Card(page, "fleet").Locator(".flag.down").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        var order = await page.Locator(".boards li .name").AllTextContentsAsync();
        // Down sources first (fleet, and command-center whose agents heartbeat sees the same sources), then critical.
        Assert.Equal("Costs", order[2]);
        Assert.Contains("Model fleet", order.Take(2));
        Assert.Equal("Usual order", await page.Locator("#sort").TextContentAsync());
        await page.Clock.FastForwardAsync("20:00"); // costs.yaml: stale_after 15m
        await Card(page, "costs").Locator(".pill", new LocatorLocatorOptions { HasText = "stale" }).WaitForAsync();
    }
}
