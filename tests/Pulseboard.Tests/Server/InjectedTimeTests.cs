using System.Text;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>The server reads the clock it is given (<c>ServerOptions.TimeProvider</c>), not the system's.</summary>
public sealed class InjectedTimeTests
{
    [Fact]
    public async Task An_idle_stream_sends_its_keep_alive_when_the_servers_clock_passes_the_interval()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(new Pulseboard.Server.ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = data.Path,
            DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
            TimeProvider = clock,
            SseKeepAlive = TimeSpan.FromMinutes(10),
        });
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.ProjectedAsync(0); // the projector's first cycle writes the cache
        using var response = await server.Http.GetAsync("/api/dashboards/costs/stream", HttpCompletionOption.ResponseHeadersRead, bound.Token);
        await using var stream = await response.Content.ReadAsStreamAsync(bound.Token);
        var received = new StringBuilder();
        var buffer = new byte[64 * 1024];
        async Task ReadUntilAsync(string text)
        {
            while (!received.ToString().Contains(text, StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, bound.Token);
                Assert.True(read > 0, "the stream ended");
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        await ReadUntilAsync("event: cache");
        await ReadUntilAsync("\n\n");
        Assert.DoesNotContain(": keepalive", received.ToString(), StringComparison.Ordinal);
        // Ten minutes on the server's clock, none on the wall's: the keep-alive comes now, not in ten minutes.
        clock.Advance(TimeSpan.FromMinutes(10));
        await ReadUntilAsync(": keepalive\n\n");
    }
}
