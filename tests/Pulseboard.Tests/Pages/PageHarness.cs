using System.Net.Http.Headers;
using System.Text;
using Microsoft.Playwright;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Pages;

/// <summary>One Chromium shared by the page tests, which run one class at a time (a browser each would crowd two cores).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserGroup : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>
/// A real server on loopback with the sample dashboards and a test one (<c>lab.yaml</c>: sections without templates,
/// one- and two-point charts, a section nothing feeds), pages opened in the shared Chromium, and console errors kept.
/// </summary>
internal sealed class PageHarness : IAsyncDisposable
{
    /// <summary>A test dashboard with what the samples do not have.</summary>
    public const string Lab = """
        title: Lab
        sections:
          state:
            kind: stat
          runs:
            kind: feed
          named:
            kind: feed
            text: "{content.nothing}: {content.missing}"
          one:
            kind: timeseries
            title: One point
            value: content.v
            bucket: 1h
            window: 24h
          two:
            kind: timeseries
            title: Two points
            value: content.v
            bucket: 1h
            window: 24h
          days:
            kind: daily
            value: content.v
            days: 7
          quiet:
            kind: counter
            title: Never fed
            from: [ { section: nowhere, action: "never_*" } ]
        """;

    private readonly TempDirectory _data = new();
    private readonly TempDirectory _dashboards = new();
    private readonly IBrowser _browser;
    private readonly List<IBrowserContext> _contexts = [];
    private TestServer _server = null!;

    private PageHarness(IBrowser browser) => _browser = browser;

    public List<string> ConsoleErrors { get; } = [];

    public string Url => _server.Url;

    public HttpClient Http => _server.Http;

    public static async Task<PageHarness> StartAsync(IBrowser browser)
    {
        var harness = new PageHarness(browser);
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "dashboards"), "*.yaml"))
        {
            File.Copy(file, Path.Combine(harness._dashboards.Path, Path.GetFileName(file)));
        }
        await File.WriteAllTextAsync(Path.Combine(harness._dashboards.Path, "lab.yaml"), Lab);
        harness._server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = harness._data.Path,
            DashboardsDirectory = harness._dashboards.Path,
        });
        // Until the projector's first cycle a dashboard has no cache, and its page is a 404: wait for all of them.
        await harness._server.ProjectedAsync(0);
        return harness;
    }

    /// <summary>Posts events and waits, with a bound, until the projector has applied the last of them.</summary>
    public async Task PostAsync(string json)
    {
        var response = await Http.PostAsync("/api/events", new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var end = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("last").GetInt64();
        await _server.ProjectedAsync(end);
    }

    /// <summary>A new page (in a fresh context: light or dark, any size) at <paramref name="path"/>.</summary>
    public async Task<IPage> OpenAsync(string path, int width = 1280, int height = 900, bool dark = false, Func<IPage, Task>? before = null, string locale = "en-US", string timeZone = "UTC")
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light,
            Locale = locale,
            TimezoneId = timeZone,
        });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !(message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal) && message.Text.Contains("404", StringComparison.Ordinal)))
            {
                ConsoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => ConsoleErrors.Add(error);
        if (before is not null)
        {
            await before(page);
        }
        await page.GotoAsync(Url + path);
        return page;
    }

    /// <summary>Where a test's screenshot goes (artifacts/screenshots; the README's images are copied from there).</summary>
    public static string Screenshot(string name)
    {
        var folder = Path.Combine(Repo.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    public static string Stamp(TimeSpan ago) =>
        DateTimeOffset.UtcNow.Subtract(ago).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Twelve hours of spend, a critical budget alert, and two models' heartbeats (one 80 s ago: late).</summary>
    public async Task FillCostsAsync()
    {
        var events = new List<string>();
        for (var h = 0; h < 12; h++)
        {
            events.Add($$$"""{"dashboard":"costs","section":"spend","action":"spend","timestamp":"{{{Stamp(TimeSpan.FromHours(12 - h))}}}","content":{"usd":{{{h + 2}}}.5,"model":"m{{{h % 3}}}","tokens":{{{h * 1000}}}}}""");
        }
        events.Add("""{"dashboard":"costs","section":"alerts","action":"budget_exceeded","priority":"critical","content":{"category":"gpu","current":1250,"limit":1000}}""");
        events.Add("""{"dashboard":"fleet","section":"models","action":"heartbeat","source":"llama-3","content":{"model":"llama3","tokens_per_s":41.5,"latency_ms":220,"memory_mb":6100,"status":"ok"}}""");
        events.Add($$$"""{"dashboard":"fleet","section":"models","action":"heartbeat","source":"qwen-7b","timestamp":"{{{Stamp(TimeSpan.FromSeconds(80))}}}","content":{"model":"qwen","tokens_per_s":30,"latency_ms":300,"memory_mb":5000,"status":"ok"}}""");
        await PostAsync("[" + string.Join(",", events) + "]");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
        await _server.DisposeAsync();
        _data.Dispose();
        _dashboards.Dispose();
    }
}
