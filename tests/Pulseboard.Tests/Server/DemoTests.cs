using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

public sealed class DemoTests
{
    [Fact]
    public async Task Demo_writes_the_sample_dashboards_and_its_agents_fill_them()
    {
        using var data = new TempDirectory();
        using var dashboards = new TempDirectory();
        await using var app = PulseboardServer.Build(new ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = data.Path, DashboardsDirectory = dashboards.Path, Demo = true,
        }, logging => logging.ClearProviders());
        Assert.Equal(
            Directory.GetFiles(Path.Combine(Repo.Root, "dashboards"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Directory.GetFiles(dashboards.Path, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(PulseboardServer.Addresses(app)[0]) };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        JsonElement spend;
        do
        {
            await Task.Yield();
            var response = await http.GetAsync("/api/dashboards/costs", bound.Token);
            spend = response.IsSuccessStatusCode
                ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(bound.Token)).RootElement.GetProperty("sections").GetProperty("spend")
                : default;
        }
        while (spend.ValueKind == JsonValueKind.Undefined || spend.GetProperty("points").GetArrayLength() < 24);
        await app.StopAsync();
    }
}
