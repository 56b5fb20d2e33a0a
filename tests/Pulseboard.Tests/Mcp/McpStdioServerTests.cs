using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Mcp;

/// <summary>
/// <c>pulseboard mcp</c> on a data folder a server runs on: found through <c>server.json</c> as <c>emit</c> finds it,
/// events go to that server (its tokens apply), and reading shows what it projected.
/// </summary>
public sealed class McpStdioServerTests : IAsyncLifetime
{
    private const string Costs = "costs-only-token-012345";
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = _data.Path,
            DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
            TokensJson = $$"""[ {"name": "accountant", "token": "{{Costs}}", "dashboards": ["costs"]} ]""",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private Task<McpSession> StdioAsync(string? token) =>
        McpSession.StdioAsync(_data.Path, Path.Combine(Repo.Root, "dashboards"), new Dictionary<string, string?> { ["PULSEBOARD_TOKEN"] = token });

    [Fact]
    public async Task Events_go_to_the_running_server_with_the_token_and_read_back_from_its_caches()
    {
        await using var session = await StdioAsync(Costs);
        var (isError, answer) = await session.CallAsync("append_event", """{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"gpu","current":812,"limit":1000}}""");
        Assert.False(isError, answer);
        var seq = McpToolContract.Seq(answer);
        Assert.Equal(1, seq);
        await McpHttpTests.CacheAtAsync(_server, "costs", seq); // the server took it and projected it
        var (failed, text) = await session.CallAsync("read_dashboard", """{"dashboard":"costs"}""");
        Assert.False(failed, text);
        Assert.Contains("\"812 of 1000 (gpu)\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_servers_refusal_comes_back_as_a_tool_error_and_the_session_goes_on()
    {
        await using var session = await StdioAsync(null);
        var (isError, answer) = await session.CallAsync("append_event", """{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"gpu","current":1,"limit":2}}""");
        Assert.True(isError, answer);
        Assert.Contains("did not take the event", answer, StringComparison.Ordinal);
        Assert.Contains("needs a token", answer, StringComparison.Ordinal);
        Assert.False((await session.CallAsync("list_dashboards")).IsError);
    }
}
