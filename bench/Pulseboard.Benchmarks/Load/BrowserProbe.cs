using System.Globalization;
using System.Text;
using Microsoft.Playwright;

namespace Pulseboard.Benchmarks.Load;

/// <summary>Debian's Chromium driven by Playwright, timing the page itself: first render, and append-to-render.</summary>
internal sealed class BrowserProbe : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserProbe(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<BrowserProbe> LaunchAsync()
    {
        var (playwright, browser) = await DebianChromium.LaunchAsync().ConfigureAwait(false);
        return new BrowserProbe(playwright, browser);
    }

    /// <summary>
    /// In the costs page itself, <paramref name="count"/> times: POST an event with fetch, then wait (a MutationObserver)
    /// until the rendered budget shows it; 50 ms apart. Milliseconds per event: POST, log, projector, stream, render.
    /// </summary>
    public async Task<double[]> AppendToRenderAsync(string url, int count)
    {
        var page = await _browser.NewPageAsync().ConfigureAwait(false);
        await page.GotoAsync($"{url}/d/costs").ConfigureAwait(false);
        await page.Locator("[data-section=budget] .value").WaitForAsync().ConfigureAwait(false);
        var times = await page.EvaluateAsync<double[]>("""
            async count => {
              const shown = marker => new Promise(resolve => {
                const check = () => document.querySelector('[data-section=budget] .value')?.textContent.includes(marker);
                if (check()) return resolve();
                const observer = new MutationObserver(() => { if (check()) { observer.disconnect(); resolve(); } });
                observer.observe(document.getElementById('sections'), { subtree: true, childList: true, characterData: true });
              });
              const times = [];
              for (let i = 0; i < count; i++) {
                const marker = `browser-${i}-${Math.random()}`;
                const started = performance.now();
                await fetch('/api/events', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                  body: JSON.stringify({ dashboard: 'costs', section: 'alerts', action: 'budget_warning', content: { category: marker, current: i, limit: 1000 } }) });
                await shown(marker);
                times.push(performance.now() - started);
                await new Promise(r => setTimeout(r, 50));
              }
              return times;
            }
            """, count).ConfigureAwait(false);
        await page.CloseAsync().ConfigureAwait(false);
        return times;
    }

    /// <summary>
    /// First render of a large cache: fills the costs dashboard with 400 events of long text, then opens the page
    /// fresh five times and reads the page's own mark (navigation start to the sections drawn). Also the cache's size
    /// and the bytes of the page's own code.
    /// </summary>
    public async Task<(double[] Milliseconds, int CacheBytes, int OwnBytes)> FirstRenderAsync(string url)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        var lines = Enumerable.Range(0, 400).Select(i =>
            $$$"""{"dashboard":"costs","section":"{{{(i % 2 == 0 ? "alerts" : "spend")}}}","action":"budget_warning","content":{"category":"c{{{i % 50}}} {{{new string('x', 150)}}}","current":{{{i}}},"limit":1000,"usd":{{{i % 7}}},"model":"model-{{{i % 100}}}","tokens":{{{i * 13}}}}}""");
        using (var response = await client.PostAsync("/api/events", new StringContent(string.Join("\n", lines), Encoding.UTF8, "application/x-ndjson")).ConfigureAwait(false))
        {
            response.EnsureSuccessStatusCode();
        }
        string cache;
        do
        {
            await Task.Yield();
            cache = await client.GetStringAsync("/api/dashboards/costs").ConfigureAwait(false);
        }
        while (!cache.Contains("\"c48 ", StringComparison.Ordinal));
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var page = await _browser.NewPageAsync().ConfigureAwait(false);
            await page.GotoAsync($"{url}/d/costs").ConfigureAwait(false);
            await page.Locator("[data-section=budget] .value").WaitForAsync().ConfigureAwait(false);
            times.Add(await page.EvaluateAsync<double>("() => performance.getEntriesByName('pulseboard:first-render')[0].startTime").ConfigureAwait(false));
            if (Environment.GetEnvironmentVariable("PULSEBOARD_TIMINGS") == "1")
            {
                Console.WriteLine(await page.EvaluateAsync<string>("() => JSON.stringify([...performance.getEntriesByType('resource').map(r => [r.name.split('/').pop(), Math.round(r.startTime), Math.round(r.responseEnd)]), ['dcl', Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd)]])").ConfigureAwait(false));
            }
            await page.CloseAsync().ConfigureAwait(false);
        }
        var own = 0;
        foreach (var path in new[] { "/d/costs", "/assets/style.css", "/assets/dashboard.js" })
        {
            own += (await client.GetByteArrayAsync(path).ConfigureAwait(false)).Length;
        }
        return (times.ToArray(), Encoding.UTF8.GetByteCount(cache), own);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync().ConfigureAwait(false);
        _playwright.Dispose();
    }
}
