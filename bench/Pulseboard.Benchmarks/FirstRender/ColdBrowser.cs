using Microsoft.Playwright;

namespace Pulseboard.Benchmarks.FirstRender;

/// <summary>Debian's Chromium; each load in a new context, closed after it.</summary>
internal sealed class ColdBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ColdBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<ColdBrowser> LaunchAsync()
    {
        var (playwright, browser) = await DebianChromium.LaunchAsync().ConfigureAwait(false);
        return new ColdBrowser(playwright, browser);
    }

    /// <summary>
    /// One cold load: milliseconds to the mark (the first section's value in the DOM) and to every section in it; when the last response the first render needed had arrived (the
    /// document, or a file that ended before the mark), so the rest is the page's own work; then, once the page
    /// settled, its requests and bytes.
    /// </summary>
    public async Task<(double Milliseconds, double Sections, double FilesIn, int Requests, double Bytes)> LoadAsync(Uri url, bool uncompressed)
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ExtraHTTPHeaders = uncompressed ? new Dictionary<string, string> { [FirstRenderServer.IdentityHeader] = "1" } : null,
        }).ConfigureAwait(false);
        var page = await context.NewPageAsync().ConfigureAwait(false);
        var requests = 0;
        page.Request += (_, _) => Interlocked.Increment(ref requests);
        await page.GotoAsync(url.ToString()).ConfigureAwait(false);
        await page.WaitForFunctionAsync("() => performance.getEntriesByName('pulseboard:first-render').length > 0").ConfigureAwait(false);
        var ms = await page.EvaluateAsync<double>("() => performance.getEntriesByName('pulseboard:first-render')[0].startTime").ConfigureAwait(false);
        // The page marks again once every section is in the DOM; the floor writes all of them before its one mark.
        var sections = await page.EvaluateAsync<double>("first => performance.getEntriesByName('pulseboard:sections')[0]?.startTime ?? first", ms).ConfigureAwait(false);
        var filesIn = await page.EvaluateAsync<double>(
            "mark => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map(e => e.responseEnd).filter(end => end <= mark).reduce((a, b) => Math.max(a, b), 0)",
            ms).ConfigureAwait(false);
        // Untimed: let what the first render started (the chart library, the stream) arrive before counting.
        await page.WaitForTimeoutAsync(300).ConfigureAwait(false);
        if (Environment.GetEnvironmentVariable("PULSEBOARD_TIMINGS") == "1")
        {
            // Where the time went: each resource's start and end, and the document's milestones, in ms from navigation start.
            Console.Error.WriteLine($"\n{url.AbsolutePath}{(uncompressed ? " (uncompressed)" : "")}: mark {ms:F1} " + await page.EvaluateAsync<string>(
                "() => { const n = performance.getEntriesByType('navigation')[0]; return JSON.stringify({ response: [Math.round(n.responseStart), Math.round(n.responseEnd)], interactive: Math.round(n.domInteractive), dcl: Math.round(n.domContentLoadedEventEnd), load: Math.round(n.loadEventEnd), resources: performance.getEntriesByType('resource').map(r => [r.name.split('/').slice(-1)[0], Math.round(r.startTime), Math.round(r.responseEnd)]) }); }").ConfigureAwait(false));
        }
        var bytes = await page.EvaluateAsync<double>("() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].reduce((sum, e) => sum + e.transferSize, 0)").ConfigureAwait(false);
        return (ms, sections, filesIn, Volatile.Read(ref requests), bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync().ConfigureAwait(false);
        _playwright.Dispose();
    }
}
