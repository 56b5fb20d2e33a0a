using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pulseboard.Server.Serving;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Mcp;

/// <summary><c>/mcp</c> (Streamable HTTP) on a real server on 127.0.0.1, appending through the server's own log.</summary>
public sealed class McpHttpTests : McpToolContract
{
    private TestServer? _server;

    internal TestServer Server => _server ?? throw new InvalidOperationException("not started");

    internal override async Task<McpSession> ConnectAsync()
    {
        _server = await TestServer.StartAsync(TestServer.Options(Data.Path));
        return await McpSession.HttpAsync(_server.Url);
    }

    protected override Task<JsonElement> CacheAtAsync(string dashboard, long seq) => CacheAtAsync(Server, dashboard, seq);

    /// <summary>Waits on the served caches' change signal, with a bound, until <paramref name="dashboard"/> holds <paramref name="seq"/>.</summary>
    internal static async Task<JsonElement> CacheAtAsync(TestServer server, string dashboard, long seq)
    {
        var store = server.App.Services.GetRequiredService<CacheStore>();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var changed = store.ChangedAsync(dashboard);
            if (store.TryGet(dashboard, out var cache) && cache.Position >= seq)
            {
                return JsonDocument.Parse(cache.Bytes).RootElement.Clone();
            }
            await changed.WaitAsync(bound.Token);
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_event_appended_through_mcp_is_in_the_servers_log_and_counted()
    {
        var (isError, text) = await Session.CallAsync("append_event", """{"dashboard":"costs","section":"alerts","action":"budget_warning","source":"haiku","content":{"category":"gpu","current":812,"limit":1000}}""");
        Assert.False(isError, text);
        Assert.Equal(1, Server.App.Services.GetRequiredService<Pulseboard.Log.IEventLog>().End);
        var metrics = await Server.Http.GetStringAsync("/metrics");
        Assert.Contains("pulseboard_events_appended_total{dashboard=\"costs\"} 1", metrics, StringComparison.Ordinal);
    }
}
