using System.Net;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>Two <c>pulseboard serve --log nats://…</c> nodes on one stream: each ingests, projects on its own, and they converge.</summary>
public sealed class JetStreamNodesTests(NatsServerProcess nats) : IClassFixture<NatsServerProcess>, IDisposable
{
    private readonly TempDirectory _a = new();
    private readonly TempDirectory _b = new();

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    [Fact]
    public async Task Events_sent_to_either_node_reach_both_caches_alike()
    {
        using var a = await ServerProcess.StartAsync(_a.Path, TestServer.FreePort(), extra: ["--log", nats.Url]);
        using var b = await ServerProcess.StartAsync(_b.Path, TestServer.FreePort(), extra: ["--log", nats.Url]);
        using var http = new HttpClient();
        for (var i = 0; i < 10; i++)
        {
            var node = i % 2 == 0 ? a : b;
            using var body = new StringContent($$$"""{"dashboard":"costs","section":"spend","action":"spent","id":"s{{{i}}}","content":{"usd":{{{i}}}}}""", Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(node.Url, "/api/events"), body);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        var cacheA = JsonDocument.Parse(await a.CacheAtAsync("costs", 10)).RootElement;
        var cacheB = JsonDocument.Parse(await b.CacheAtAsync("costs", 10)).RootElement;
        Assert.True(JsonElement.DeepEquals(cacheA.GetProperty("sections"), cacheB.GetProperty("sections")), $"{cacheA}\n{cacheB}");
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url });
        var stream = await new NatsJSContext(connection).GetStreamAsync("PULSEBOARD");
        Assert.Equal(10UL, stream.Info.State.LastSeq);
    }
}
