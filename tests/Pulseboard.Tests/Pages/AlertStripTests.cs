using System.Net.Http.Headers;
using System.Text;
using Microsoft.Playwright;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Pages;

/// <summary>The dashboard page's strip of firing alerts (silenced ones marked) and the count on the index card.</summary>
[Collection(BrowserGroup.Name)]
public sealed class AlertStripTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Watch = """
        title: Model watch
        sections:
          models:
            kind: heartbeat
            title: Heartbeats
            every: 30s
            grace: 15s
          spend:
            kind: counter
            title: GPU spend (USD)
            value: content.usd
        alerts:
          model-down:
            when: { section: models, status: down }
            notify: [team]
          over-budget:
            when: { section: spend, above: 500 }
            notify: [team]
        """;

    private readonly TempDirectory _data = new();
    private readonly TempDirectory _dashboards = new();
    private readonly List<IBrowserContext> _contexts = [];
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_dashboards.Path, "watch.yaml"), Watch);
        File.Copy(Path.Combine(Repo.Root, "dashboards", "costs.yaml"), Path.Combine(_dashboards.Path, "costs.yaml"));
        _server = await TestServer.StartAsync(new ServerOptions { Urls = "http://127.0.0.1:0", DataDirectory = _data.Path, DashboardsDirectory = _dashboards.Path });
        await _server.ProjectedAsync(0);
    }

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
        await _server.DisposeAsync();
        _data.Dispose();
        _dashboards.Dispose();
    }

    private async Task<IPage> OpenAsync(string path, int width = 1280, int height = 800, bool dark = false)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync(_server.Url + path);
        return page;
    }

    private async Task PostAsync(string json)
    {
        using var response = await _server.Http.PostAsync("/api/events", new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        await _server.ProjectedAsync(System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("last").GetInt64());
    }

    [Fact]
    public async Task The_page_lists_its_firing_alerts_as_text_silenced_ones_marked_and_the_index_counts_them()
    {
        // Two models silent for ten minutes (down after 3 x 30 s + 15 s), one just seen, and spend over the line.
        await PostAsync($$$"""
            [{"dashboard":"watch","section":"models","action":"beat","source":"llama-3","timestamp":"{{{PageHarness.Stamp(TimeSpan.FromMinutes(10))}}}","content":{}},
             {"dashboard":"watch","section":"models","action":"beat","source":"qwen-7b","timestamp":"{{{PageHarness.Stamp(TimeSpan.FromMinutes(12))}}}","content":{}},
             {"dashboard":"watch","section":"models","action":"beat","source":"mistral","content":{}},
             {"dashboard":"watch","section":"spend","action":"spent","content":{"usd":420}},
             {"dashboard":"watch","section":"spend","action":"spent","content":{"usd":180}}]
            """);
        using var silence = await _server.Http.PostAsync("/api/silences",
            new StringContent("""{"dashboard":"watch","labels":{"source":"qwen-*"},"duration":"2h","comment":"swapping its GPU"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, silence.StatusCode);

        var page = await OpenAsync("/d/watch");
        var strip = page.Locator("#alerts");
        await strip.Locator("li").Nth(2).WaitForAsync(); // the engine evaluates every second; the page asks every five
        Assert.Equal("2 alerts firing · 1 silenced", await strip.Locator("h2").TextContentAsync());
        var items = await strip.Locator("li").AllAsync();
        var texts = new List<string>();
        foreach (var item in items)
        {
            texts.Add((await item.Locator(".badge").TextContentAsync()) + " | " + (await item.Locator(".text").TextContentAsync()));
        }
        Assert.Equal(
        [
            "firing | llama-3 on watch/models is down (last seen " + (await _server.Http.GetStringAsync("/api/alerts")).Split("last seen ")[1].Split(')')[0] + ")",
            "silenced | qwen-7b on watch/models is down (last seen " + (await _server.Http.GetStringAsync("/api/alerts")).Split("last seen ")[2].Split(')')[0] + ")",
            "firing | GPU spend (USD) on watch/spend is 600, above 500",
        ], texts.OrderBy(t => t.Contains("spend", StringComparison.Ordinal)).ThenBy(t => t, StringComparer.Ordinal));
        // llama-3 went down 10 min - 105 s ago: an episode starts when the cache says, not when it was first evaluated.
        Assert.Matches("^started \\d+ min ago$", await items[0].Locator(".since").TextContentAsync());
        Assert.Equal(0, await strip.Locator("img, script").CountAsync());

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageHarness.Screenshot("alerts-desktop.png"), FullPage = true });
        var phone = await OpenAsync("/d/watch", width: 390, height: 844);
        await phone.Locator("#alerts li").Nth(2).WaitForAsync();
        await phone.ScreenshotAsync(new PageScreenshotOptions { Path = PageHarness.Screenshot("alerts-phone.png"), FullPage = true });
        var dark = await OpenAsync("/d/watch", dark: true);
        await dark.Locator("#alerts li").Nth(2).WaitForAsync();
        await dark.ScreenshotAsync(new PageScreenshotOptions { Path = PageHarness.Screenshot("alerts-dark.png"), FullPage = true });

        var index = await OpenAsync("/");
        var card = index.Locator(".boards li:has(a[href='/d/watch'])");
        await card.Locator(".flag.firing").WaitForAsync();
        Assert.Equal("⚑ 2 alerts firing", await card.Locator(".flag.firing").TextContentAsync());
        Assert.True(await index.Locator(".boards li:has(a[href='/d/costs']) .flag.firing").IsHiddenAsync());
        await index.ScreenshotAsync(new PageScreenshotOptions { Path = PageHarness.Screenshot("alerts-index.png"), FullPage = true });

        // A dashboard with nothing firing shows no strip.
        var costs = await OpenAsync("/d/costs");
        await costs.Locator(".card").First.WaitForAsync();
        Assert.True(await costs.Locator("#alerts").IsHiddenAsync());
    }

    [Fact]
    public async Task An_older_answer_about_alerts_never_replaces_a_newer_one()
    {
        await PostAsync("""{"dashboard":"watch","section":"spend","action":"spent","content":{"usd":900}}""");
        var context = await browser.Browser.NewContextAsync();
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        var first = new TaskCompletionSource<IRoute>(TaskCreationOptions.RunContinuationsAsynchronously);
        var later = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var fulfilled = int.MaxValue; // the number of calls made when the late answer was given
        await page.RouteAsync("**/api/alerts?dashboard=watch", async route =>
        {
            switch (Interlocked.Increment(ref calls))
            {
                case 1:
                    first.SetResult(route); // held: answered late, after a newer one was drawn
                    break;
                case 2:
                    await route.ContinueAsync();
                    break;
                case var n when n > Volatile.Read(ref fulfilled):
                    later.TrySetResult(); // asked after the late answer: held, so the strip must still show the second answer
                    break;
                default:
                    await route.ContinueAsync();
                    break;
            }
        });
        await page.GotoAsync(_server.Url + "/d/watch");
        var held = await first.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var strip = page.Locator("#alerts");
        await strip.Locator("li .text", new() { HasText = "above 500" }).WaitForAsync();
        Volatile.Write(ref fulfilled, Volatile.Read(ref calls));
        await held.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200,
            ContentType = "application/json",
            Body = """[{"id":"stale","alert":"over-budget","dashboard":"watch","section":"spend","summary":"STALE answer","silenced":false,"since":"2026-01-01T00:00:00Z","labels":{}}]""",
        });
        await later.Task.WaitAsync(TimeSpan.FromSeconds(60)); // the page asked again since: the late answer was delivered before
        Assert.Equal(0, await strip.Locator("li", new() { HasText = "STALE" }).CountAsync());
        Assert.Equal(1, await strip.Locator("li .text", new() { HasText = "above 500" }).CountAsync());
    }
}
