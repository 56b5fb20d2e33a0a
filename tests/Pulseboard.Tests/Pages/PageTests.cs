using Microsoft.Playwright;

namespace Pulseboard.Tests.Pages;

/// <summary>The generic dashboard page in a real Chromium against a real server on loopback.</summary>
[Collection(BrowserGroup.Name)]
public sealed class PageTests(BrowserFixture browser) : IAsyncLifetime
{
    private PageHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await PageHarness.StartAsync(browser.Browser);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Every_section_kind_renders_from_the_cache()
    {
        await _harness.FillCostsAsync();
        var page = await _harness.OpenAsync("/d/costs");
        await page.Locator("[data-section=budget] .value").WaitForAsync();
        Assert.Equal("1250 of 1000 (gpu)", await page.Locator("[data-section=budget] .value").TextContentAsync());
        Assert.Equal("96", await page.Locator("[data-section=spend-total] .value").TextContentAsync()); // 2.5 + 3.5 + … + 13.5
        var alert = page.Locator("[data-section=alerts] .feed li").First;
        Assert.Contains("budget_exceeded: gpu at 1250 of 1000", await alert.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("critical", await alert.GetAttributeAsync("class"));
        Assert.Equal("critical", await alert.Locator(".badge").TextContentAsync()); // the priority in words, not colour alone
        Assert.Equal(3, await page.Locator("[data-section=by-model] tbody tr").CountAsync());

        var fleet = await _harness.OpenAsync("/d/fleet");
        await fleet.Locator("[data-section=status] .beat").First.WaitForAsync();
        Assert.Equal(["llama-3 up", "qwen-7b late"], await fleet.Locator("[data-section=status] .beat").EvaluateAllAsync<string[]>(
            "beats => beats.map(b => b.querySelector('.name').textContent + ' ' + b.querySelector('.state').textContent)"));
        Assert.Empty(_harness.ConsoleErrors);
    }

    [Fact]
    public async Task Tables_label_their_columns_and_format_numbers_in_the_readers_locale()
    {
        await _harness.FillCostsAsync();
        await _harness.PostAsync("""{"dashboard":"costs","section":"spend","action":"spend","content":{"usd":1234.5,"model":"big","tokens":1234567}}""");
        var page = await _harness.OpenAsync("/d/costs", locale: "de-DE");
        var row = page.Locator("[data-section=by-model] tbody tr").First;
        await row.WaitForAsync();
        Assert.Equal("big", await row.Locator("th").TextContentAsync()); // the newest row first, its key column a row header
        Assert.Equal(["1.234,5", "1.234.567"], await row.Locator("td.num").AllTextContentsAsync());
        Assert.Equal("right", await row.Locator("td.num").Last.EvaluateAsync<string>("td => getComputedStyle(td).textAlign"));
        // Header labels wrap only between words: each header is one line.
        var lines = await page.Locator("[data-section=by-model] thead th").EvaluateAllAsync<int[]>(
            "ths => ths.map(th => { const range = document.createRange(); range.selectNodeContents(th); return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; })");
        Assert.All(lines, n => Assert.True(n == 1, $"a header took {n} lines"));
    }

    [Fact]
    public async Task Content_without_a_template_reads_as_key_value_text()
    {
        await _harness.PostAsync("""
            [{"dashboard":"lab","section":"runs","action":"run_done","content":{"run":"r7","status":"done","detail":{"steps":3}}},
             {"dashboard":"lab","section":"named","action":"x","content":{"run":"r8"}},
             {"dashboard":"lab","section":"state","action":"s","content":{"phase":"deploy","ok":true}}]
            """);
        var page = await _harness.OpenAsync("/d/lab");
        var item = page.Locator("[data-section=runs] .feed li .text").First;
        await item.WaitForAsync();
        Assert.Equal("run: r7 · status: done · detail: {\"steps\":3}", await item.TextContentAsync());
        Assert.Equal("run: r8", await page.Locator("[data-section=named] .feed li .text").First.TextContentAsync()); // not ":"
        Assert.Equal("phase: deploy · ok: true", await page.Locator("[data-section=state] .value").TextContentAsync());
    }

    [Fact]
    public async Task A_section_nothing_fed_says_what_would_feed_it()
    {
        var page = await _harness.OpenAsync("/d/lab");
        var waiting = page.Locator("[data-section=quiet] .empty");
        await waiting.WaitForAsync();
        Assert.Equal("Waiting for events: events to lab/nowhere with action never_*.", await waiting.TextContentAsync());
        Assert.True(await page.Locator("[data-section=quiet] .body").IsHiddenAsync());
    }

    [Fact]
    public async Task A_feed_item_keeps_its_node_and_focus_while_the_page_ticks_and_updates()
    {
        await _harness.FillCostsAsync();
        var page = await _harness.OpenAsync("/d/costs", before: p => p.Clock.InstallAsync(new ClockInstallOptions { TimeDate = DateTime.UtcNow }));
        var item = page.Locator("[data-section=alerts] .feed li").First;
        await item.WaitForAsync();
        await item.EvaluateAsync("li => { window.kept = li; li.focus(); }");
        await page.Clock.RunForAsync(3_000); // three ticks of the relative times
        await _harness.PostAsync("""{"dashboard":"costs","section":"alerts","action":"budget_warning","priority":"high","content":{"category":"api","current":700,"limit":1000}}""");
        await page.Locator("[data-section=alerts] .feed li", new PageLocatorOptions { HasText = "api at 700" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        await page.Clock.RunForAsync(3_000);
        Assert.True(await page.EvaluateAsync<bool>("() => window.kept.isConnected && document.activeElement === window.kept"), "the focused item was rebuilt or lost focus");
        Assert.Equal(2, await page.Locator("[data-section=alerts] .feed li").CountAsync());
    }

    [Fact]
    public async Task Relative_times_tick_and_carry_the_absolute_time_with_its_zone()
    {
        await _harness.FillCostsAsync();
        var page = await _harness.OpenAsync("/d/costs", before: p => p.Clock.InstallAsync(new ClockInstallOptions { TimeDate = DateTime.UtcNow }));
        var time = page.Locator("[data-section=budget] time");
        await time.WaitForAsync();
        await page.Locator("[data-section=budget] .value").EvaluateAsync("v => { window.value = v; }");
        var before = await time.TextContentAsync();
        await page.Clock.RunForAsync(120_000);
        Assert.NotEqual(before, await time.TextContentAsync());
        Assert.Equal("2 min ago", await time.TextContentAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.value.isConnected"), "a tick rebuilt the value");
        Assert.Matches(@"\d{4}", await time.GetAttributeAsync("datetime") ?? "");
        Assert.Matches("UTC", await time.GetAttributeAsync("title") ?? ""); // the page's zone is UTC here
    }

    [Fact]
    public async Task A_posted_event_appears_without_a_reload()
    {
        await _harness.FillCostsAsync();
        var page = await _harness.OpenAsync("/d/costs");
        await page.Locator("[data-section=budget] .value").WaitForAsync();
        await _harness.PostAsync("""{"dashboard":"costs","section":"alerts","action":"budget_warning","priority":"high","content":{"category":"api","current":700,"limit":1000}}""");
        await page.Locator("[data-section=budget] .value", new PageLocatorOptions { HasText = "700 of 1000 (api)" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
    }

    [Fact]
    public async Task An_unknown_dashboard_is_a_404_that_says_so_and_links_to_the_index()
    {
        var response = await _harness.Http.GetAsync("/d/nosuch");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        var page = await _harness.OpenAsync("/d/nosuch");
        var text = await page.Locator("main").TextContentAsync();
        Assert.Contains("nosuch", text, StringComparison.Ordinal);
        Assert.Contains("no dashboard", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("/", await page.Locator("main a").First.GetAttributeAsync("href"));
    }

    [Fact]
    public async Task Markup_from_an_event_shows_as_text_and_runs_nothing()
    {
        await _harness.PostAsync("""{"dashboard":"mindminer","section":"leads","action":"new_inquiry","priority":"high","content":{"id":"x","from":"<img src=x onerror=\"window.pwned=1\">","message":"<script>window.pwned=2</script>"}}""");
        var dialogs = 0;
        var page = await _harness.OpenAsync("/d/mindminer", before: p =>
        {
            p.Dialog += (_, dialog) => dialogs++;
            return Task.CompletedTask;
        });
        var item = page.Locator("[data-section=leads] .feed li .text").First;
        await item.WaitForAsync();
        Assert.Equal("<img src=x onerror=\"window.pwned=1\">: <script>window.pwned=2</script>", await item.TextContentAsync());
        Assert.Equal(0, await page.Locator("[data-section=leads] img, [data-section=leads] script").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.pwned === undefined"));
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task Hostile_text_stays_readable_text_and_breaks_no_layout()
    {
        var longWord = new string('W', 3_000);
        await _harness.PostAsync($$$"""
            [{"dashboard":"mindminer","section":"leads","action":"new_inquiry","content":{"id":"1","from":"javascript:alert(1)","message":"<a href=\"javascript:alert(2)\">click</a>"}},
             {"dashboard":"mindminer","section":"leads","action":"new_inquiry","content":{"id":"2","from":"‮gnp.exe‬","message":"{{{longWord}}}"}},
             {"dashboard":"mindminer","section":"tasks","action":"task_opened","content":{"id":"t","title":"{{{longWord}}}","owner":"<b>x</b>","due":"‮tomorrow","status":"<iframe src=//evil>"}}]
            """);
        var page = await _harness.OpenAsync("/d/mindminer", width: 390, height: 844);
        await page.Locator("[data-section=leads] .feed li").Nth(1).WaitForAsync();
        Assert.Equal(0, await page.Locator("#sections a, #sections iframe, #sections b, #sections script").CountAsync());
        Assert.Contains("<a href=\"javascript:alert(2)\">click</a>", await page.Locator("[data-section=leads]").TextContentAsync(), StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "a long word pushed the page sideways");
        Assert.True(await page.EvaluateAsync<bool>("() => [...document.querySelectorAll('.card')].every(c => c.getBoundingClientRect().right <= window.innerWidth + 1)"));
        Assert.StartsWith("gnp.exe: ", await page.Locator("[data-section=leads] .feed li .text").First.TextContentAsync(), StringComparison.Ordinal); // no right-to-left override
        Assert.True(_harness.ConsoleErrors.Count == 0, string.Join("\n", _harness.ConsoleErrors));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageHarness.Screenshot("hostile-text.png"), FullPage = true });
    }

    [Fact]
    public async Task Pages_carry_a_strict_content_security_policy()
    {
        var response = await _harness.Http.GetAsync("/d/costs");
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal); // no inline script
    }

    [Fact]
    public async Task Data_older_than_stale_after_shows_a_banner()
    {
        await _harness.FillCostsAsync();
        var page = await _harness.OpenAsync("/d/costs", before: p => p.Clock.InstallAsync(new ClockInstallOptions { TimeDate = DateTime.UtcNow }));
        await page.Locator("[data-section=budget] .value").WaitForAsync();
        Assert.True(await page.Locator("#banner").IsHiddenAsync());
        await page.Clock.FastForwardAsync("20:00"); // costs.yaml: stale_after 15m
        await page.Locator("#banner", new PageLocatorOptions { HasText = "stopped updating" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
    }

    [Fact]
    public async Task The_pages_fit_a_phone_and_the_screenshots_are_taken()
    {
        await _harness.FillCostsAsync();
        foreach (var (name, path, width, height, dark) in new[]
        {
            ("costs", "/d/costs", 1280, 900, false), ("costs-phone", "/d/costs", 390, 844, false), ("costs-dark", "/d/costs", 1280, 900, true),
            ("fleet", "/d/fleet", 1280, 900, false), ("fleet-phone", "/d/fleet", 390, 844, false), ("index", "/", 1280, 900, false),
        })
        {
            var page = await _harness.OpenAsync(path, width, height, dark);
            await page.Locator(path == "/" ? ".boards li" : ".card").First.WaitForAsync();
            if (path == "/d/costs")
            {
                await page.Locator("[data-section=spend] canvas").WaitForAsync();
            }
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{name} scrolls sideways");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageHarness.Screenshot(name + ".png"), FullPage = true });
        }
        Assert.True(_harness.ConsoleErrors.Count == 0, string.Join("\n", _harness.ConsoleErrors));
    }
}
