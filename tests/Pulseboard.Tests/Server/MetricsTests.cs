using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Pulseboard.Server;
using Pulseboard.Server.Metrics;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

public sealed class MetricsTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = _data.Path, DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        });
        _http = _server.Http;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public void The_exposition_writer_escapes_and_formats_as_the_format_says()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var text = new Exposition(buffer);
        text.Family("a.b-c", "gauge", "help with \\ and\nnewline");
        text.Sample("a.b-c", 1.5, ("source", "x\"y\\z\nw"));
        text.Sample("a.b-c", double.PositiveInfinity);
        Assert.Equal(
            "# HELP a_b_c help with \\\\ and\\nnewline\n# TYPE a_b_c gauge\na_b_c{source=\"x\\\"y\\\\z\\nw\"} 1.5\na_b_c +Inf\n",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public async Task Metrics_carry_the_servers_health_and_the_dashboards_numbers_and_promtool_accepts_them()
    {
        var events = """
            [{"dashboard":"costs","section":"spend","action":"spend","content":{"usd":12.5,"model":"m","tokens":3}},
             {"dashboard":"fleet","section":"models","action":"heartbeat","source":"llama-3","timestamp":"2026-11-22T12:00:00Z","content":{"tokens_per_s":40}},
             {"dashboard":"Bad","section":"a","action":"b"}]
            """;
        var response = await _http.PostAsync("/api/events", new StringContent(events, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        await _server.ProjectedAsync(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("last").GetInt64());
        var metrics = await _http.GetStringAsync("/metrics");
        Assert.Contains("pulseboard_events_appended_total{dashboard=\"costs\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_events_rejected_total{reason=\"dashboard\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_section_value{dashboard=\"costs\",section=\"spend-total\",kind=\"counter\"} 12.5\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_heartbeat_last_seen_timestamp_seconds{dashboard=\"fleet\",section=\"status\",source=\"llama-3\"} 1795348800\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_append_duration_seconds_count 1\n", metrics, StringComparison.Ordinal);

        const string Promtool = "/usr/bin/promtool";
        Assert.True(File.Exists(Promtool), "promtool is missing: install Debian's prometheus package (./test.sh does).");
        var check = await Processes.RunAsync(Promtool, ["check", "metrics"], metrics);
        Assert.True(check.Code == 0, check.Stdout + check.Stderr);
    }
}
