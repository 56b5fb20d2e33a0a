using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Pulseboard.Projection.Definitions;
using Pulseboard.Samples;
using Pulseboard.Server;
using Pulseboard.Server.Export;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

public sealed partial class GrafanaTests
{
    [Fact]
    public async Task Every_dashboard_is_valid_for_grafana_and_queries_only_series_that_metrics_serves()
    {
        using var output = new TempDirectory();
        using var data = new TempDirectory();
        var definitions = DefinitionLoader.LoadDirectory(Path.Combine(Repo.Root, "dashboards"));
        var written = GrafanaExport.Write(definitions.Dashboards, output.Path, "http://127.0.0.1:9090", "http://127.0.0.1:5080");
        Assert.Equal(10, written.Count);
        Assert.Contains("type: prometheus", await File.ReadAllTextAsync(Path.Combine(output.Path, "provisioning", "datasources", "prometheus.yaml")), StringComparison.Ordinal);

        await using var app = PulseboardServer.Build(new ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = data.Path, DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        }, logging => logging.ClearProviders());
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(PulseboardServer.Addresses(app)[0]) };
        // Data for every numeric section, so each one's series exists (a series without data is absent, not wrong).
        var events = string.Join("\n", Enumerable.Range(0, 900).Select(i => EventJson.ToUtf8(SampleTraffic.Make(i).WithTimestamp(DateTimeOffset.UtcNow))).Select(Encoding.UTF8.GetString))
            + "\n" + """{"dashboard":"nova-launch","section":"waitlist","action":"waitlist_size","content":{"size":1200}}"""
            + "\n" + """{"dashboard":"checks","section":"pings","action":"ping","source":"backup","content":{"status":"up"}}""";
        using var posted = await http.PostAsync("/api/events", new StringContent(events, Encoding.UTF8, new MediaTypeHeaderValue("application/x-ndjson")));
        Assert.True(posted.IsSuccessStatusCode);
        await app.ProjectedAsync(JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("last").GetInt64());
        var metrics = await http.GetStringAsync("/metrics");

        var queries = 0;
        foreach (var path in written)
        {
            var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement;
            Assert.Equal(GrafanaExport.SchemaVersion, dashboard.GetProperty("schemaVersion").GetInt32());
            var ids = dashboard.GetProperty("panels").EnumerateArray().Select(p => p.GetProperty("id").GetInt32()).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
            {
                if (!panel.TryGetProperty("targets", out var targets))
                {
                    continue;
                }
                foreach (var target in targets.EnumerateArray())
                {
                    var match = Selector().Match(target.GetProperty("expr").GetString()!);
                    Assert.True(match.Success, target.GetProperty("expr").GetString());
                    var series = $"{match.Groups["name"].Value}{{dashboard=\"{match.Groups["dashboard"].Value}\",section=\"{match.Groups["section"].Value}\"";
                    Assert.True(metrics.Contains(series, StringComparison.Ordinal), $"{Path.GetFileName(path)} queries {series}…}} which /metrics does not serve");
                    queries++;
                }
            }
        }
        var numeric = definitions.Dashboards.SelectMany(d => d.Sections).Count(section => section is Pulseboard.Projection.Sections.CounterSection
            or Pulseboard.Projection.Sections.TimeseriesSection or Pulseboard.Projection.Sections.DailySection or Pulseboard.Projection.Sections.HeartbeatSection
            or Pulseboard.Projection.Sections.StatSection { Value: not null });
        Assert.Equal(numeric, queries); // a query for every numeric section, each checked above
        await app.StopAsync();
    }

    [GeneratedRegex("(?<name>pulseboard_[a-z_]+)\\{dashboard=\"(?<dashboard>[a-z0-9-]+)\",section=\"(?<section>[a-z0-9-]+)\"\\}")]
    private static partial Regex Selector();
}
