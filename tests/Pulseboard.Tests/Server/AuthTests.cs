using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>Bearer tokens scoped to dashboards: 401 without a known token, 403 outside its scope.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private const string Writer = "writer-token-0123456789";
    private const string Costs = "costs-only-token-012345";
    private const string Wall = "wall-read-token-0123456";
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;
    private HttpClient _http = null!;

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
        _http = _server.Http;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        return _http.SendAsync(request);
    }

    private static string Event(string dashboard) => $$"""{"dashboard":"{{dashboard}}","section":"alerts","action":"x"}""";

    [Fact]
    public async Task No_token_and_a_wrong_token_are_401_and_told_apart()
    {
        var none = await SendAsync(HttpMethod.Post, "/api/events", null, Event("costs"));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("needs a token", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var wrong = await SendAsync(HttpMethod.Post, "/api/events", "not-a-token-we-know-123", Event("costs"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("not one this server knows", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scoped_token_writes_its_dashboards_and_nothing_else()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(HttpMethod.Post, "/api/events", Costs, Event("costs"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(HttpMethod.Post, "/api/events", Costs, Event("cost-center"))).StatusCode);
        var outside = await SendAsync(HttpMethod.Post, "/api/events", Costs, $"[{Event("costs")},{Event("mindminer")}]");
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        var problem = System.Text.Json.JsonDocument.Parse(await outside.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("token \"accountant\" may not write the dashboards of events 1; nothing was stored", problem.GetProperty("detail").GetString());
        Assert.Equal(1, problem.GetProperty("errors")[0].GetProperty("index").GetInt32());
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(HttpMethod.Post, "/api/events", Writer, Event("mindminer"))).StatusCode);
        var health = await _http.GetStringAsync("/healthz");
        Assert.Contains("\"logEnd\":3", health, StringComparison.Ordinal); // the forbidden batch stored nothing
    }

    [Fact]
    public async Task Reading_needs_a_read_token_once_one_exists()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/api/dashboards", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/api/dashboards/costs", Writer)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/api/dashboards", Wall)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/api/dashboards/costs/stream", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/healthz", null)).StatusCode);
    }

    [Fact]
    public void Malformed_tokens_and_short_ones_stop_the_server_with_what_to_fix()
    {
        using var other = new TempDirectory();
        var error = Assert.Throws<InvalidOperationException>(() => PulseboardServer.Build(new ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = other.Path, TokensJson = """[{"name":"a","token":"short"}]""", TokensOrigin = "tokens.json",
        }));
        Assert.Equal("tokens.json[0]: needs a name and a token of at least 16 characters (e.g. openssl rand -hex 24)", error.Message);
    }

    [Theory]
    [InlineData("""[7]""", "tokens.json[0]: must be an object")]
    [InlineData("""[{"name":"a","token":12345678901234567890}]""", "tokens.json[0].token: must be a string, not number")]
    [InlineData("""[{"name":"a","token":"0123456789abcdef","dashboards":"costs"}]""", "tokens.json[0] (a).dashboards: must be a list of dashboard ids or globs")]
    [InlineData("""[{"name":"a","token":"0123456789abcdef","dashboards":["costs",3]}]""", "tokens.json[0] (a).dashboards: must be a list")]
    [InlineData("""[{"name":"a","token":"0123456789abcdef","read":"true"}]""", "tokens.json[0] (a).read: must be true or false (without quotes)")]
    [InlineData("""[{"name":"a","token":"0123456789abcdef","dashbaords":["costs"]}]""", "tokens.json[0]: unknown field \"dashbaords\"; a token takes name, token, dashboards, read, ping")]
    [InlineData("""[{"name":"a","token":"0123456789abcdef","ping":true,"read":true}]""", "tokens.json[0] (a): a ping token cannot also read")]
    [InlineData("""[{"name":"a","token":"0123456789abcdef"}]""", "tokens.json[0] (a): allows nothing")]
    [InlineData("""[{"name":"a","token":"0123456789abcdef","read":true},{"name":"b","token":"0123456789abcdef","read":true}]""", "tokens.json[1] (b): has the same token as an earlier entry")]
    public void Every_mistake_in_a_token_file_is_named_with_what_to_fix(string json, string message)
    {
        using var other = new TempDirectory();
        var error = Assert.Throws<InvalidOperationException>(() => PulseboardServer.Build(new ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = other.Path, TokensJson = json, TokensOrigin = "tokens.json",
        }));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_loopback_it_needs_tokens()
    {
        using var other = new TempDirectory();
        var options = new ServerOptions { Urls = "http://0.0.0.0:0", DataDirectory = other.Path };
        Assert.Throws<InvalidOperationException>(() => PulseboardServer.Build(options));
        // The same address with tokens builds (it is not started: no test listens off loopback).
        await using var app = PulseboardServer.Build(new ServerOptions
        {
            Urls = options.Urls, DataDirectory = other.Path, TokensJson = $$"""[{"name":"a","token":"{{Writer}}","dashboards":["*"]}]""",
        }, logging => logging.ClearProviders());
    }
}
