using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>A real Prometheus (Debian's package) scrapes the server on loopback and answers a query for a posted value.</summary>
public sealed class PrometheusTests : IDisposable
{
    private const string Prometheus = "/usr/bin/prometheus";
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _prometheus = new();

    public void Dispose()
    {
        _data.Dispose();
        _prometheus.Dispose();
    }


    [Fact]
    public async Task Prometheus_scrapes_a_dashboard_value_that_was_posted_as_an_event()
    {
        Assert.True(File.Exists(Prometheus), "prometheus is missing: install Debian's prometheus package (./test.sh does).");
        await using var app = PulseboardServer.Build(new ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = _data.Path, DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        }, logging => logging.ClearProviders());
        await app.StartAsync();
        var target = new Uri(PulseboardServer.Addresses(app)[0]);
        using var http = new HttpClient { BaseAddress = target };
        var posted = await http.PostAsync("/api/events", new StringContent(
            """{"dashboard":"costs","section":"spend","action":"spend","content":{"usd":42.25,"model":"m","tokens":1}}""",
            Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var port = TestServer.FreePort();
        var config = Path.Combine(_prometheus.Path, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: pulseboard
                static_configs:
                  - targets: ["127.0.0.1:{target.Port}"]
            """);
        var start = new ProcessStartInfo(Prometheus) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { $"--config.file={config}", $"--web.listen-address=127.0.0.1:{port}", $"--storage.tsdb.path={Path.Combine(_prometheus.Path, "tsdb")}" })
        {
            start.ArgumentList.Add(arg);
        }
        using var prometheus = Process.Start(start)!;
        prometheus.ErrorDataReceived += (_, _) => { };
        prometheus.OutputDataReceived += (_, _) => { };
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var query = Uri.EscapeDataString("pulseboard_section_value{dashboard=\"costs\",section=\"spend-total\"}");
            while (true)
            {
                bound.Token.ThrowIfCancellationRequested();
                try
                {
                    var answer = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/query?query={query}", bound.Token)).RootElement;
                    var result = answer.GetProperty("data").GetProperty("result");
                    if (result.GetArrayLength() > 0)
                    {
                        Assert.Equal("42.25", result[0].GetProperty("value")[1].GetString());
                        Assert.Equal("pulseboard", result[0].GetProperty("metric").GetProperty("job").GetString());
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Prometheus is still starting.
                }
                await Task.Yield();
            }
        }
        finally
        {
            prometheus.Kill();
            await prometheus.WaitForExitAsync();
            await app.StopAsync();
        }
    }
}
