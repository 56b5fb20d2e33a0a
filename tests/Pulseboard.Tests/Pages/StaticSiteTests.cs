using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Pulseboard.Log;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Pages;

/// <summary>
/// The static export served by a plain static file server (Python's http.server, not ours) on loopback, in Chromium:
/// it shows the data, picks up what <c>project --once --out</c> refreshes, and says when the publisher stopped.
/// </summary>
public sealed class StaticSiteTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _site = new();

    public void Dispose()
    {
        _data.Dispose();
        _site.Dispose();
    }

    private async Task AppendAsync(string json)
    {
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path });
        var errors = new List<EventError>();
        await log.AppendAsync([EventJson.Parse(System.Text.Encoding.UTF8.GetBytes(json), errors)!]);
    }

    private Task<(int Code, string Stdout, string Stderr)> CliAsync(params string[] args) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), .. args,
            "--data", _data.Path, "--dashboards", Path.Combine(Repo.Root, "dashboards")]);

    [Fact]
    public async Task The_exported_index_is_the_servers_overview_with_relative_urls_and_the_copies_generated_time()
    {
        using var dashboards = new TempDirectory();
        File.WriteAllText(Path.Combine(dashboards.Path, "ops.yaml"), Server.DashboardOverviewTests.Ops);
        File.Copy(Path.Combine(Repo.Root, "dashboards", "costs.yaml"), Path.Combine(dashboards.Path, "costs.yaml"));
        await using (var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path }))
        {
            await log.AppendAsync(Server.DashboardOverviewTests.OpsEvents());
            using var projector = Pulseboard.Projection.Projector.Open(new Pulseboard.Projection.ProjectorOptions { DataDirectory = _data.Path, DashboardsDirectory = dashboards.Path, FsyncCaches = false }, log);
            projector.RunOnce(log);
        }
        var now = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal(["costs", "ops"], Pulseboard.Server.Export.StaticSite.RefreshCaches(_data.Path, _site.Path, now));

        var index = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_site.Path, "caches", "index.json"))).RootElement;
        Assert.Equal(["ops", "costs"], index.EnumerateArray().Select(d => d.GetProperty("id").GetString())); // ops has order: 5
        var ops = index[0];
        Assert.Equal("caches/ops.json", ops.GetProperty("url").GetString());
        Assert.Equal("2026-11-23T08:00:00Z", ops.GetProperty("generated").GetString());
        var copy = File.ReadAllBytes(Path.Combine(_site.Path, "caches", "ops.json"));
        var expected = System.Text.Json.JsonSerializer.Serialize<IReadOnlyList<Pulseboard.Server.Serving.DashboardSummary>>(
            [Pulseboard.Server.Serving.DashboardOverview.Read("ops", copy, "caches/ops.json")], Pulseboard.Server.ServerJsonContext.Default.IReadOnlyListDashboardSummary);
        Assert.Equal(expected[1..^1], ops.GetRawText());
        Assert.Equal(10, ops.GetProperty("critical").GetArrayLength());
        Assert.Equal("beats", ops.GetProperty("heartbeats")[0].GetProperty("section").GetString());
    }


    [Fact]
    public async Task An_exported_site_shows_the_data_refreshes_and_says_when_its_publisher_stopped()
    {
        await AppendAsync("""{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"gpu","current":700,"limit":1000}}""");
        var export = await CliAsync("export", _site.Path, "--headers");
        Assert.True(export.Code == 0, export.Stderr);
        Assert.True(File.Exists(Path.Combine(_site.Path, "costs.html")));
        Assert.True(File.Exists(Path.Combine(_site.Path, "_headers")));
        Assert.DoesNotContain("\"/assets/", await File.ReadAllTextAsync(Path.Combine(_site.Path, "costs.html")), StringComparison.Ordinal);

        var port = TestServer.FreePort();
        var start = new ProcessStartInfo("python3") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", _site.Path })
        {
            start.ArgumentList.Add(arg);
        }
        using var server = Process.Start(start)!;
        try
        {
            using (var probe = new HttpClient())
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                while (true)
                {
                    try
                    {
                        await probe.GetAsync($"http://127.0.0.1:{port}/index.html", bound.Token);
                        break;
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Yield(); // the file server is still starting
                    }
                }
            }
            var index = await browser.Browser.NewPageAsync();
            await index.GotoAsync($"http://127.0.0.1:{port}/index.html");
            await index.Locator(".boards a", new PageLocatorOptions { HasText = "Costs" }).WaitForAsync();
            Assert.Equal("costs.html", await index.Locator(".boards a", new PageLocatorOptions { HasText = "Costs" }).GetAttributeAsync("href"));

            var page = await browser.Browser.NewPageAsync();
            await page.Clock.InstallAsync(new ClockInstallOptions { TimeDate = DateTime.UtcNow });
            await page.GotoAsync($"http://127.0.0.1:{port}/costs.html");
            await page.Locator("[data-section=budget] .value", new PageLocatorOptions { HasText = "700 of 1000 (gpu)" }).WaitForAsync();

            await AppendAsync("""{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"api","current":900,"limit":1000}}""");
            var refresh = await CliAsync("project", "--once", "--out", _site.Path);
            Assert.True(refresh.Code == 0, refresh.Stderr);
            await page.Clock.FastForwardAsync("01:05"); // costs.yaml: refresh 60s, so the page polls
            await page.Locator("[data-section=budget] .value", new PageLocatorOptions { HasText = "900 of 1000 (api)" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            Assert.True(await page.Locator("#banner").IsHiddenAsync());

            await page.Clock.FastForwardAsync("16:00"); // no refresh for longer than stale_after (15m): the publisher stopped
            await page.Locator("#banner", new PageLocatorOptions { HasText = "stopped updating" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }
}
