using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Pages;

/// <summary>
/// The dashboard page as served since issue 10, in a real Chromium: it renders from the cache inlined in it (no fetch),
/// opens its stream at that cache's position (no second download), loads its modules and the chart library from the
/// content-hashed prefix, and an event's markup stays text.
/// </summary>
[Collection(BrowserGroup.Name)]
public sealed class InlinePageTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(TestServer.Options(_data.Path));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private async Task<long> PostAsync(string json)
    {
        using var response = await _server.Http.PostAsync("/api/events", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var last = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["last"]!.GetValue<long>();
        await _server.ProjectedAsync(last);
        return last;
    }

    [Fact]
    public async Task The_page_renders_its_inlined_cache_without_fetching_it_and_streams_from_its_position()
    {
        var stamp = DateTimeOffset.UtcNow.AddHours(-2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var position = await PostAsync($$$"""
            [{"dashboard":"costs","section":"spend","action":"spend","timestamp":"{{{stamp}}}","content":{"usd":4.5,"model":"m1","tokens":100}},
             {"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"</script><script>window.pwned=1</script>","current":10,"limit":20}}]
            """);
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var requests = new List<string>();
        var errors = new List<string>();
        page.Request += (_, request) => { lock (requests) { requests.Add(new Uri(request.Url).PathAndQuery); } };
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) => { if (message.Type == "error") { errors.Add(message.Text); } };
        page.Dialog += (_, dialog) => errors.Add("dialog: " + dialog.Message);

        await page.GotoAsync(_server.Url + "/d/costs");
        await page.Locator("[data-section=budget] .value").WaitForAsync();
        Assert.Equal("10 of 20 (</script><script>window.pwned=1</script>)", await page.Locator("[data-section=budget] .value").TextContentAsync());
        await page.Locator("[data-section=spend] canvas").WaitForAsync(); // the chart library, from the hashed prefix
        await page.WaitForFunctionAsync("() => performance.getEntriesByName('pulseboard:first-render').length === 1");
        Assert.Null(await page.EvaluateAsync<int?>("() => window.pwned"));

        // A change still arrives by the stream, which was opened at the inlined cache's position.
        await PostAsync("""{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"api","current":7,"limit":20}}""");
        await page.Locator("[data-section=budget] .value", new PageLocatorOptions { HasText = "7 of 20 (api)" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });

        List<string> made;
        lock (requests)
        {
            made = [.. requests];
        }
        Assert.DoesNotContain("/api/dashboards/costs", made); // rendered from the page itself
        Assert.Contains($"/api/dashboards/costs/stream?position={position}", made);
        var assets = made.Where(r => r.StartsWith("/assets/", StringComparison.Ordinal)).ToList();
        Assert.Contains(assets, a => a.EndsWith("/uplot/uPlot.iife.min.js", StringComparison.Ordinal));
        Assert.All(assets, a => Assert.Matches("^/assets/[0-9a-f]{16}/", a));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
