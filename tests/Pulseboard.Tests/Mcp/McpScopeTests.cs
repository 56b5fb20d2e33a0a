using System.Net;
using System.Text;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Mcp;

/// <summary>
/// <c>/mcp</c> on a server with tokens: no token or an unknown one is a 401 before any tool runs; a token scoped to
/// some dashboards lists, reads, describes and appends only those; a read token reads all and writes none.
/// </summary>
public sealed class McpScopeTests : IAsyncLifetime
{
    private const string Writer = "writer-token-0123456789";
    private const string Costs = "costs-only-token-012345";
    private const string Wall = "wall-read-token-0123456";
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = _data.Path,
            DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
            TokensJson = $$"""
                [ {"name": "orchestrator", "token": "{{Writer}}", "dashboards": ["*"]},
                  {"name": "accountant", "token": "{{Costs}}", "dashboards": ["costs", "cost-*"]},
                  {"name": "wall", "token": "{{Wall}}", "read": true} ]
                """,
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    [Fact]
    public async Task Without_a_known_token_mcp_is_401_and_no_tool_runs()
    {
        foreach (var token in new[] { null, "not-a-token-we-know-123" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(Initialize, Encoding.UTF8, "application/json") };
            request.Headers.Accept.ParseAdd("application/json, text/event-stream");
            if (token is not null)
            {
                request.Headers.Authorization = new("Bearer", token);
            }
            var response = await _server.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Contains(token is null ? "needs a token" : "not one this server knows", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => McpSession.HttpAsync(_server.Url));
    }

    [Fact]
    public async Task A_scoped_token_lists_reads_describes_and_appends_its_dashboards_only()
    {
        await using var session = await McpSession.HttpAsync(_server.Url, Costs);
        var (isError, list) = await session.CallAsync("list_dashboards");
        Assert.False(isError, list);
        Assert.StartsWith("1 dashboards.", list, StringComparison.Ordinal);
        Assert.Contains("costs — ", list, StringComparison.Ordinal);
        Assert.DoesNotContain("mindminer", list, StringComparison.Ordinal);

        var (failed, answer) = await session.CallAsync("append_event", """{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"gpu","current":1,"limit":2}}""");
        Assert.False(failed, answer);

        foreach (var (tool, arguments) in new[]
        {
            ("read_dashboard", """{"dashboard":"mindminer"}"""),
            ("describe_section", """{"dashboard":"mindminer","section":"leads"}"""),
            ("append_event", """{"dashboard":"mindminer","section":"leads","action":"new_inquiry","content":{"id":"l1","from":"Acme","message":"hi"}}"""),
        })
        {
            (failed, answer) = await session.CallAsync(tool, arguments);
            Assert.True(failed, $"{tool} outside the token's dashboards: {answer}");
            Assert.Contains("- dashboard: \"mindminer\" is not a dashboard; the dashboards are costs", answer, StringComparison.Ordinal);
        }
        Assert.Equal(1, _server.App.Services.GetService(typeof(Pulseboard.Log.IEventLog)) is Pulseboard.Log.IEventLog log ? log.End : -1);

        // Reading values follows GET /api/dashboards: this server has a read token, so a write token reads none.
        (failed, answer) = await session.CallAsync("read_dashboard", """{"dashboard":"costs"}""");
        Assert.True(failed, answer);
        Assert.Contains("token \"accountant\" may not read dashboards' values", answer, StringComparison.Ordinal);

        // An event only fleet's and command-center's "*" sections take, refused by their schemas: the message names no
        // dashboard the token cannot see.
        (failed, answer) = await session.CallAsync("append_event", """{"dashboard":"costs","section":"shipped","action":"heartbeat","content":{"bogus":1}}""");
        Assert.True(failed, answer);
        Assert.DoesNotContain("fleet", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("command-center", answer, StringComparison.Ordinal);
        Assert.Contains("address it to a section of costs", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_token_reads_every_dashboard_and_writes_none()
    {
        await using var session = await McpSession.HttpAsync(_server.Url, Wall);
        var (isError, list) = await session.CallAsync("list_dashboards");
        Assert.False(isError, list);
        Assert.Contains("mindminer — ", list, StringComparison.Ordinal);
        Assert.False((await session.CallAsync("read_dashboard", """{"dashboard":"mindminer"}""")).IsError);
        var (failed, answer) = await session.CallAsync("append_event", """{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"gpu","current":1,"limit":2}}""");
        Assert.True(failed, answer);
        Assert.Contains("- dashboard: token \"wall\" may not write \"costs\"", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_for_every_dashboard_appends_anywhere()
    {
        await using var session = await McpSession.HttpAsync(_server.Url, Writer);
        var (isError, answer) = await session.CallAsync("append_event", """{"dashboard":"mindminer","section":"leads","action":"new_inquiry","content":{"id":"l1","from":"Acme","message":"hi"}}""");
        Assert.False(isError, answer);
        Assert.Equal(1, McpToolContract.Seq(answer));
    }
}
