using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Pages;

/// <summary>The generic page in a real Chromium against a real server on loopback.</summary>
public sealed class PageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly List<string> _consoleErrors = [];
    private TestServer _server = null!;
    private HttpClient _http = null!;
    private string _base = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = _data.Path,
            DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        });
        _base = _server.Url;
        _http = _server.Http;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private async Task PostAsync(string json)
    {
        var response = await _http.PostAsync("/api/events", new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var end = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("last").GetInt64();
        // Wait, with a bound, until the projector has applied it.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(await _http.GetStringAsync("/api/dashboards", bound.Token)).Contains($"\"position\":{end}", StringComparison.Ordinal))
        {
            await Task.Yield();
        }
    }

    private async Task<IPage> OpenAsync(string path, int width = 1280, int height = 900, Func<IPage, Task>? before = null)
    {
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _consoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => _consoleErrors.Add(error);
        if (before is not null)
        {
            await before(page);
        }
        await page.GotoAsync(_base + path);
        return page;
    }

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(Repo.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    private static string Stamp(TimeSpan ago) => DateTimeOffset.UtcNow.Subtract(ago).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private async Task FillCostsAsync()
    {
        var events = new List<string>();
        for (var h = 0; h < 12; h++)
        {
            events.Add($$$"""{"dashboard":"costs","section":"spend","action":"spend","timestamp":"{{{Stamp(TimeSpan.FromHours(12 - h))}}}","content":{"usd":{{{h + 2}}}.5,"model":"m{{{h % 3}}}","tokens":{{{h * 100}}}}}""");
        }
        events.Add("""{"dashboard":"costs","section":"alerts","action":"budget_exceeded","priority":"critical","content":{"category":"gpu","current":1250,"limit":1000}}""");
        events.Add("""{"dashboard":"fleet","section":"models","action":"heartbeat","source":"llama-3","content":{"model":"llama3","tokens_per_s":41.5,"latency_ms":220,"memory_mb":6100,"status":"ok"}}""");
        events.Add($$$"""{"dashboard":"fleet","section":"models","action":"heartbeat","source":"qwen-7b","timestamp":"{{{Stamp(TimeSpan.FromSeconds(80))}}}","content":{"model":"qwen","tokens_per_s":30,"latency_ms":300,"memory_mb":5000,"status":"ok"}}""");
        await PostAsync("[" + string.Join(",", events) + "]");
    }

    [Fact]
    public async Task The_index_lists_every_dashboard_with_a_link()
    {
        var page = await OpenAsync("/");
        await page.Locator(".boards a").First.WaitForAsync();
        Assert.Equal(9, await page.Locator(".boards a").CountAsync());
        Assert.Equal("/d/costs", await page.Locator(".boards a", new PageLocatorOptions { HasText = "Costs" }).GetAttributeAsync("href"));
        Assert.True(_consoleErrors.Count == 0, string.Join("\n", _consoleErrors));
    }

    [Fact]
    public async Task Every_section_kind_renders_from_the_cache()
    {
        await FillCostsAsync();
        var page = await OpenAsync("/d/costs");
        await page.Locator("[data-section=budget] .value").WaitForAsync();
        Assert.Equal("1250 of 1000 (gpu)", await page.Locator("[data-section=budget] .value").TextContentAsync());
        Assert.Equal("96", await page.Locator("[data-section=spend-total] .value").TextContentAsync()); // 2.5 + 3.5 + … + 13.5
        Assert.Contains("budget_exceeded: gpu at 1250 of 1000", await page.Locator("[data-section=alerts] .feed li").First.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("critical", await page.Locator("[data-section=alerts] .feed li").First.GetAttributeAsync("class"));
        Assert.Equal(3, await page.Locator("[data-section=by-model] tbody tr").CountAsync());
        await page.Locator("[data-section=spend] canvas").WaitForAsync(); // the chart library loads on first need
        Assert.Equal(1, await page.Locator("[data-section=spend] canvas").CountAsync());
        await page.Locator("[data-section=spend-per-day] canvas").WaitForAsync();
        Assert.Equal(1, await page.Locator("[data-section=spend-per-day] canvas").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("costs.png"), FullPage = true });

        var fleet = await OpenAsync("/d/fleet");
        await fleet.Locator("[data-section=status] .beat").First.WaitForAsync();
        Assert.Equal(["llama-3 up", "qwen-7b late"], await fleet.Locator("[data-section=status] .beat").EvaluateAllAsync<string[]>(
            "beats => beats.map(b => b.querySelector('.name').textContent + ' ' + b.querySelector('.state').textContent)"));
        await fleet.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("fleet.png"), FullPage = true });
        Assert.Empty(_consoleErrors);
    }

    [Fact]
    public async Task A_posted_event_appears_without_a_reload()
    {
        await FillCostsAsync();
        var page = await OpenAsync("/d/costs");
        await page.Locator("[data-section=budget] .value").WaitForAsync();
        await PostAsync("""{"dashboard":"costs","section":"alerts","action":"budget_warning","priority":"high","content":{"category":"api","current":700,"limit":1000}}""");
        await page.Locator("[data-section=budget] .value", new PageLocatorOptions { HasText = "700 of 1000 (api)" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
    }

    [Fact]
    public async Task Markup_from_an_event_shows_as_text_and_runs_nothing()
    {
        await PostAsync("""{"dashboard":"mindminer","section":"leads","action":"new_inquiry","priority":"high","content":{"id":"x","from":"<img src=x onerror=\"window.pwned=1\">","message":"<script>window.pwned=2</script>"}}""");
        var dialogs = 0;
        var page = await OpenAsync("/d/mindminer", before: p =>
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
        await PostAsync($$$"""
            [{"dashboard":"mindminer","section":"leads","action":"new_inquiry","content":{"id":"1","from":"javascript:alert(1)","message":"<a href=\"javascript:alert(2)\">click</a>"}},
             {"dashboard":"mindminer","section":"leads","action":"new_inquiry","content":{"id":"2","from":"‮gnp.exe‬","message":"{{{longWord}}}"}},
             {"dashboard":"mindminer","section":"tasks","action":"task_opened","content":{"id":"t","title":"{{{longWord}}}","owner":"<b>x</b>","due":"‮tomorrow","status":"<iframe src=//evil>"}}]
            """);
        var page = await OpenAsync("/d/mindminer", width: 390, height: 844);
        await page.Locator("[data-section=leads] .feed li").Nth(1).WaitForAsync();
        Assert.Equal(0, await page.Locator("#sections a, #sections iframe, #sections b, #sections script").CountAsync());
        Assert.Contains("<a href=\"javascript:alert(2)\">click</a>", await page.Locator("[data-section=leads]").TextContentAsync(), StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "a long word pushed the page sideways");
        Assert.True(await page.EvaluateAsync<bool>("() => [...document.querySelectorAll('.card')].every(c => c.getBoundingClientRect().right <= window.innerWidth + 1)"));
        Assert.StartsWith("gnp.exe: ", await page.Locator("[data-section=leads] .feed li .text").First.TextContentAsync(), StringComparison.Ordinal); // no right-to-left override
        Assert.True(_consoleErrors.Count == 0, string.Join("\n", _consoleErrors));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("hostile-text.png"), FullPage = true });
    }

    [Fact]
    public async Task Pages_carry_a_strict_content_security_policy()
    {
        var response = await _http.GetAsync("/d/costs");
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal); // no inline script
    }

    [Fact]
    public async Task Data_older_than_stale_after_shows_a_banner()
    {
        await FillCostsAsync();
        var page = await OpenAsync("/d/costs", before: p => p.Clock.InstallAsync(new ClockInstallOptions { TimeDate = DateTime.UtcNow }));
        await page.Locator("[data-section=budget] .value").WaitForAsync();
        Assert.True(await page.Locator("#banner").IsHiddenAsync());
        await page.Clock.FastForwardAsync("20:00"); // costs.yaml: stale_after 15m
        await page.Locator("#banner", new PageLocatorOptions { HasText = "stopped updating" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
    }

    [Fact]
    public async Task A_phone_width_page_does_not_scroll_sideways()
    {
        await FillCostsAsync();
        var page = await OpenAsync("/d/costs", width: 390, height: 844);
        await page.Locator("[data-section=budget] .value").WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("costs-phone.png"), FullPage = true });
    }
}
