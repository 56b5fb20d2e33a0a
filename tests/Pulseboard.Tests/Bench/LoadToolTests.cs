using System.Text.Json;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Bench;

/// <summary>
/// The load tool (<c>Pulseboard.Benchmarks load</c>) against a real server, briefly: its JSON report holds every
/// scenario with figures, and what it says was acknowledged is what the log holds. Speed is not asserted here.
/// </summary>
public sealed class LoadToolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_report_counts_what_the_log_stored_and_has_every_scenario()
    {
        using var data = new TempDirectory();
        await using var server = await TestServer.StartAsync(TestServer.Options(data.Path));
        var report = Path.Combine(data.Path, "..", $"{Path.GetFileName(data.Path)}-load.json");
        // Warm the server (its first requests compile its hot paths) with events this test counts itself.
        const int warm = 300;
        for (var i = 0; i < warm; i++)
        {
            using var response = await server.Http.PostAsync("/api/events", new StringContent(
                $$$"""{"dashboard":"costs","section":"spend","action":"spend","content":{"usd":{{{i}}},"model":"m","tokens":1}}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }
        try
        {
            var (code, stdout, stderr) = await Processes.RunAsync("dotnet",
                [Built.Benchmarks, "load", "--url", server.Url, "--seconds", "2", "--warmup", "0", "--agents", "4", "--rate", "200",
                 "--clients", "20", "--batch", "50", "--only", "steady,http-single,http-batch,sdk,revalidate,fanout,seed", "--json", report],
                timeout: TimeSpan.FromMinutes(3));
            output.WriteLine(stdout);
            output.WriteLine(stderr);
            Assert.True(code == 0, $"load exited with {code}: {stderr}");
            Assert.Contains("http-single: 2/2 s", stderr, StringComparison.Ordinal); // the progress line

            using var json = JsonDocument.Parse(File.ReadAllText(report));
            var scenarios = json.RootElement.GetProperty("scenarios").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
            Assert.Equal(["steady", "http-single", "http-batch", "sdk", "revalidate", "fanout", "seed-steady", "seed"], scenarios.Keys);
            foreach (var name in new[] { "steady", "http-single", "http-batch", "sdk" })
            {
                var s = scenarios[name];
                Assert.Equal(0, s.GetProperty("errors").GetInt64());
                Assert.True(s.GetProperty("events").GetInt64() > 0, name);
                var metrics = s.GetProperty("metrics");
                Assert.Equal(metrics.GetProperty("acknowledged").GetInt64(), metrics.GetProperty("log_grew_by").GetInt64());
                var latency = s.GetProperty("latency");
                Assert.True(latency.GetProperty("p50Ms").GetDouble() <= latency.GetProperty("p99Ms").GetDouble());
                Assert.True(latency.GetProperty("p99Ms").GetDouble() <= latency.GetProperty("maxMs").GetDouble());
            }
            // At a steady rate the probe's marked events reach the stream; saturated scenarios may leave it few or none in 2 s.
            Assert.True(scenarios["steady"].GetProperty("shown").GetProperty("count").GetInt64() > 0, "steady: no append-to-cache sample");
            Assert.Equal(50, scenarios["http-batch"].GetProperty("metrics").GetProperty("events_per_request").GetInt32());
            Assert.Equal(20, scenarios["fanout"].GetProperty("shown").GetProperty("count").GetInt64()); // every stream got the update
            Assert.True(scenarios["revalidate"].GetProperty("metrics").GetProperty("not_modified").GetInt64() > 0);
            Assert.True(scenarios["seed"].GetProperty("events").GetInt64() > 0);
            Assert.True(scenarios["seed-steady"].GetProperty("shown").GetProperty("count").GetInt64() > 0);
            Assert.True(json.RootElement.GetProperty("ratios").EnumerateObject().Any());

            // Every event the tool counted, plus the fan-out's two and this test's, is in the server's log: nothing else wrote to it.
            var counted = new[] { "steady", "http-single", "http-batch", "sdk" }.Sum(n => scenarios[n].GetProperty("metrics").GetProperty("acknowledged").GetInt64()) + 2 + warm;
            var metricsText = await server.Http.GetStringAsync("/metrics");
            Assert.Contains($"pulseboard_log_end_seq {counted}\n", metricsText, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(report);
        }
    }
}
