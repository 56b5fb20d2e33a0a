using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;

namespace Pulseboard.Benchmarks.Live;

/// <summary>
/// <c>live --url U [--clients 1000] [--events 200]</c>, against a running server: many Server-Sent Events clients on
/// one dashboard, held while an update reaches every one; then append-to-browser latency measured in a real Chromium.
/// </summary>
internal static class LiveCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = Arg(args, "--url") ?? "http://127.0.0.1:5090";
        var clients = int.Parse(Arg(args, "--clients") ?? "1000", CultureInfo.InvariantCulture);
        var events = int.Parse(Arg(args, "--events") ?? "200", CultureInfo.InvariantCulture);
        await FanOutAsync(url, clients).ConfigureAwait(false);
        await BrowserLatencyAsync(url, events).ConfigureAwait(false);
        return 0;
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>N streams on /api/dashboards/costs/stream; one event; how long until each stream has the new frame.</summary>
    private static async Task FanOutAsync(string url, int count)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan };
        await PostAsync(http, "fanout-0").ConfigureAwait(false);
        var readers = new List<StreamReader>();
        var opened = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var response = await http.GetAsync("/api/dashboards/costs/stream", HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false));
            await ReadFrameAsync(reader, null).ConfigureAwait(false); // the current cache, sent on connect
            readers.Add(reader);
        }
        Console.WriteLine($"  sse: {count} streams open on one dashboard in {opened.Elapsed.TotalSeconds:F1} s");
        var started = Stopwatch.GetTimestamp();
        var waits = readers.Select(r => Task.Run(async () =>
        {
            await ReadFrameAsync(r, "fanout-1").ConfigureAwait(false);
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        })).ToArray();
        await PostAsync(http, "fanout-1").ConfigureAwait(false);
        var times = (await Task.WhenAll(waits).WaitAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false)).Order().ToArray();
        Console.WriteLine($"  sse: the update reached all {times.Length} clients: p50 {Pct(times, 50):F1} ms, p99 {Pct(times, 99):F1} ms, last {times[^1]:F1} ms after the POST began");
        foreach (var reader in readers)
        {
            reader.Dispose();
        }
    }

    private static async Task ReadFrameAsync(StreamReader reader, string? marker)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && (marker is null || line.Contains(marker, StringComparison.Ordinal)))
            {
                return;
            }
        }
    }

    private static async Task PostAsync(HttpClient http, string marker)
    {
        var body = $$$"""{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"{{{marker}}}","current":1,"limit":2}}""";
        using var response = await http.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json")).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>In the page itself: POST an event with fetch, then wait until the rendered budget shows it.</summary>
    private static async Task BrowserLatencyAsync(string url, int count)
    {
        using var playwright = await Playwright.CreateAsync().ConfigureAwait(false);
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        }).ConfigureAwait(false);
        var page = await browser.NewPageAsync().ConfigureAwait(false);
        await FirstRenderAsync(http: null, browser, url).ConfigureAwait(false);
        await page.GotoAsync($"{url}/d/costs").ConfigureAwait(false);
        await page.Locator("[data-section=budget] .value").WaitForAsync().ConfigureAwait(false);
        var latencies = await page.EvaluateAsync<double[]>("""
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
        var sorted = latencies.Order().ToArray();
        Console.WriteLine($"  browser: append-to-render over {sorted.Length} events (POST, projector, SSE, render): p50 {Pct(sorted, 50):F1} ms, p99 {Pct(sorted, 99):F1} ms, max {sorted[^1]:F1} ms");
    }

    /// <summary>
    /// First render of a large cache: fills the costs dashboard until its cache is about 50 KB, then opens the page
    /// fresh five times and reads the page's own mark (navigation start to the sections drawn).
    /// </summary>
    private static async Task FirstRenderAsync(HttpClient? http, IBrowser browser, string url)
    {
        using var client = http ?? new HttpClient { BaseAddress = new Uri(url) };
        var lines = Enumerable.Range(0, 400).Select(i =>
            $$$"""{"dashboard":"costs","section":"{{{(i % 2 == 0 ? "alerts" : "spend")}}}","action":"budget_warning","content":{"category":"c{{{i % 50}}} {{{new string('x', 150)}}}","current":{{{i}}},"limit":1000,"usd":{{{i % 7}}},"model":"model-{{{i % 100}}}","tokens":{{{i * 13}}}}}""");
        using (var response = await client.PostAsync("/api/events", new StringContent(string.Join("\n", lines), Encoding.UTF8, "application/x-ndjson")).ConfigureAwait(false))
        {
            response.EnsureSuccessStatusCode();
        }
        int bytes;
        do
        {
            await Task.Yield();
            bytes = (await client.GetByteArrayAsync("/api/dashboards/costs").ConfigureAwait(false)).Length;
        }
        while (!(await client.GetStringAsync("/api/dashboards/costs").ConfigureAwait(false)).Contains("\"c48 ", StringComparison.Ordinal));
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var page = await browser.NewPageAsync().ConfigureAwait(false);
            await page.GotoAsync($"{url}/d/costs").ConfigureAwait(false);
            await page.Locator("[data-section=budget] .value").WaitForAsync().ConfigureAwait(false);
            times.Add(await page.EvaluateAsync<double>("() => performance.getEntriesByName('pulseboard:first-render')[0].startTime").ConfigureAwait(false));
            if (Environment.GetEnvironmentVariable("PULSEBOARD_TIMINGS") == "1")
            {
                Console.WriteLine(await page.EvaluateAsync<string>("() => JSON.stringify([...performance.getEntriesByType('resource').map(r => [r.name.split('/').pop(), Math.round(r.startTime), Math.round(r.responseEnd)]), ['dcl', Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd)]])").ConfigureAwait(false));
            }
            await page.CloseAsync().ConfigureAwait(false);
        }
        var own = new[] { "dashboard.html", "style.css", "common.js", "dashboard.js", "render.js" }
            .Sum(f => client.GetByteArrayAsync($"/{(f.EndsWith(".html", StringComparison.Ordinal) ? "d/costs" : "assets/" + f)}").GetAwaiter().GetResult().Length);
        Console.WriteLine($"  browser: first render of a {bytes / 1024.0:F0} KB cache, navigation start to sections drawn: {string.Join(", ", times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} ms (the page's own code: {own / 1024.0:F1} KB, uPlot apart)");
    }

    private static double Pct(double[] sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
