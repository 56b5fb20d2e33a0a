using Microsoft.Playwright;

namespace Pulseboard.Tests.Pages;

/// <summary>Contrast computed in the browser in both schemes, landmarks, the skip link, and what live regions say.</summary>
[Collection(BrowserGroup.Name)]
public sealed class AccessibilityTests(BrowserFixture browser) : IAsyncLifetime
{
    /// <summary>
    /// The contrast ratio (WCAG 2) of every visible text under the selectors against the first opaque background behind
    /// it; returns the ones under 4.5:1.
    /// </summary>
    private const string LowContrast = """
        selectors => {
          const rgb = c => c.match(/[\d.]+/g).map(Number);
          const luminance = ([r, g, b]) => [r, g, b].map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
          const background = node => {
            for (; node; node = node.parentElement) {
              const c = rgb(getComputedStyle(node).backgroundColor);
              if (c.length < 4 || c[3] > 0.9) return c;
            }
            return [255, 255, 255];
          };
          const failures = [];
          for (const node of document.querySelectorAll(selectors)) {
            if (!node.textContent.trim() || !node.getClientRects().length) continue;
            const [a, b] = [luminance(rgb(getComputedStyle(node).color)), luminance(background(node))].sort((x, y) => y - x);
            const ratio = (a + 0.05) / (b + 0.05);
            if (ratio < 4.5) failures.push(`${node.className || node.tagName} "${node.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
          }
          return failures;
        }
        """;

    private const string Texts = ".state, .icon, .badge, .pill, .flag, .small, .meta, .empty, h1, h2, th, td, .value, .live, .banner, .home, .readout, #sort, .notice";

    private PageHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await PageHarness.StartAsync(browser.Browser);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private async Task FillAsync()
    {
        await _harness.FillCostsAsync();
        await _harness.PostAsync($$$"""
            [{"dashboard":"fleet","section":"models","action":"heartbeat","source":"mistral","timestamp":"{{{PageHarness.Stamp(TimeSpan.FromMinutes(10))}}}","content":{"status":"ok"}},
             {"dashboard":"costs","section":"alerts","action":"budget_warning","priority":"high","content":{"category":"api","current":700,"limit":1000}},
             {"dashboard":"costs","section":"alerts","action":"budget_note","priority":"low","content":{"category":"misc","current":1,"limit":1000}}]
            """);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_status_word_and_text_has_a_contrast_of_at_least_4_5(bool dark)
    {
        await FillAsync();
        foreach (var path in new[] { "/d/fleet", "/d/costs", "/" })
        {
            var page = await _harness.OpenAsync(path, dark: dark, before: p => p.Clock.InstallAsync(new ClockInstallOptions { TimeDate = DateTime.UtcNow }));
            await page.Locator(path == "/" ? ".boards .flag.down:not([hidden])" : ".card .body").First.WaitForAsync();
            if (path == "/d/costs")
            {
                await page.Clock.FastForwardAsync("20:00"); // the stale banner too
                await page.Locator("#banner").WaitForAsync();
            }
            var failures = await page.EvaluateAsync<string[]>(LowContrast, Texts);
            Assert.True(failures.Length == 0, $"{path} ({(dark ? "dark" : "light")}): {string.Join("; ", failures)}");
        }
        var fleet = await _harness.OpenAsync("/d/fleet", dark: dark);
        await fleet.Locator(".beat.down .state").WaitForAsync();
        Assert.Equal(["up", "late", "down"], (await fleet.Locator(".beat .state").AllTextContentsAsync()).Distinct().Order(Comparer<string>.Create((a, b) => Rank(a) - Rank(b))).ToArray());
    }

    private static int Rank(string state) => state switch { "up" => 0, "late" => 1, _ => 2 };

    [Fact]
    public async Task Landmarks_a_skip_link_and_charts_with_a_text_alternative()
    {
        await FillAsync();
        var page = await _harness.OpenAsync("/d/costs");
        await page.Locator("[data-section=spend] .chart[aria-label]").WaitForAsync();
        Assert.Equal(1, await page.Locator("header").CountAsync());
        Assert.Equal(1, await page.Locator("main").CountAsync());
        Assert.Equal(1, await page.Locator("nav").CountAsync());
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to the dashboard", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("sections", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        var label = await page.Locator("[data-section=spend] .chart").GetAttributeAsync("aria-label");
        Assert.Matches(@"^Spend per hour \(USD\): \d+ hour buckets from .+; lowest .+, highest .+, latest .+\.$", label);
        Assert.Equal("img", await page.Locator("[data-section=spend] .chart").GetAttributeAsync("role"));
        // Each section is a region named by its heading.
        Assert.Equal("Budget", await page.Locator("[data-section=budget]").EvaluateAsync<string>("s => document.getElementById(s.getAttribute('aria-labelledby')).textContent"));
    }

    [Fact]
    public async Task Only_banners_and_status_changes_are_announced()
    {
        await _harness.FillCostsAsync();
        var page = await _harness.OpenAsync("/d/fleet", before: p => p.Clock.InstallAsync(new ClockInstallOptions { TimeDate = DateTime.UtcNow }));
        await page.Locator("[data-section=status] .beat").First.WaitForAsync();
        Assert.Equal(["announce"], await page.Locator("[aria-live]").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.id)"));
        await page.EvaluateAsync("""
            () => { window.announced = []; new MutationObserver(() => window.announced.push(document.getElementById('announce').textContent))
                      .observe(document.getElementById('announce'), { childList: true, characterData: true, subtree: true }); }
            """);
        await page.Clock.RunForAsync(5_000); // five ticks: relative times move, nothing to announce
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.announced"));
        await page.Clock.RunForAsync(120_000); // llama-3 (seen at start) goes late, then down; qwen-7b down
        var said = await page.EvaluateAsync<string[]>("() => window.announced");
        Assert.Contains(said, s => s.Contains("llama-3 is late", StringComparison.Ordinal));
        Assert.True(said.Length <= 4, $"announced {said.Length} times: {string.Join(" | ", said)}");
    }
}
