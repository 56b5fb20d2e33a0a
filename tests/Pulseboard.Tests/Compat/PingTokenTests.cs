using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Compat;

/// <summary>
/// Tokens on the compatible endpoints: a bearer token whose dashboards cover the checks dashboard, or a ping token
/// first in the path, which writes nothing else.
/// </summary>
public sealed class PingTokenTests : IAsyncLifetime
{
    private const string Writer = "writer-token-0123456789";
    private const string Costs = "costs-only-token-012345";
    private const string Cron = "cron-ping-token-0123456";
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        var options = TestServer.Options(_data.Path);
        _server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = options.Urls,
            DataDirectory = options.DataDirectory,
            DashboardsDirectory = options.DashboardsDirectory,
            ChecksDashboard = "ops",
            TokensJson = $$"""
                [ {"name": "orchestrator", "token": "{{Writer}}", "dashboards": ["*"]},
                  {"name": "accountant", "token": "{{Costs}}", "dashboards": ["costs"]},
                  {"name": "cron", "token": "{{Cron}}", "ping": true} ]
                """,
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer = null, string? body = null, string type = "text/plain")
    {
        var request = new HttpRequestMessage(method, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, type);
        }
        return _server.Http.SendAsync(request);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;

    [Fact]
    public async Task A_ping_token_in_the_path_writes_pings_and_pushes_to_the_checks_dashboard_given()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/ping/{Cron}/backup")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/ping/{Cron}/backup/fail")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/push/{Cron}/website?status=up")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/metrics/job/etl", Cron, "rows 1\n")).StatusCode);
        Assert.Equal(
            ["ops/pings ping backup", "ops/pings fail backup", "ops/push push website", "ops/metrics rows etl"],
            _server.Events().Select(e => $"{e.Dashboard}/{e.Section} {e.Action} {e.Source}"));
    }

    [Fact]
    public async Task Bearer_tokens_must_cover_the_checks_dashboard()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping/backup", Writer)).StatusCode);
        var outside = await SendAsync(HttpMethod.Get, "/ping/backup", Costs);
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Contains("token \"accountant\" may not write the dashboard \"ops\"", await DetailAsync(outside), StringComparison.Ordinal);
        var none = await SendAsync(HttpMethod.Get, "/ping/backup");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("/ping/<token>/<slug>", await DetailAsync(none), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/ping/not-a-known-token-123/backup")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Delete, "/metrics/job/etl")).StatusCode);
        Assert.Single(_server.Events());
    }

    [Fact]
    public async Task A_ping_token_writes_nothing_else_and_is_no_bearer_for_a_normal_token_in_the_path()
    {
        var events = await SendAsync(HttpMethod.Post, "/api/events", Cron, """{"dashboard":"ops","section":"pings","action":"ping"}""", "application/json");
        Assert.Equal(HttpStatusCode.Forbidden, events.StatusCode);
        Assert.Contains("token \"cron\" is a ping token", await DetailAsync(events), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, $"/ping/{Writer}/backup")).StatusCode); // only ping tokens go in URLs
        Assert.Empty(_server.Events());
    }

    [Fact]
    public void The_checks_dashboard_must_be_a_slug()
    {
        var error = Assert.Throws<ArgumentException>(() => PulseboardServer.Build(new ServerOptions { Urls = "http://127.0.0.1:0", ChecksDashboard = "Ops!" }));
        Assert.Contains("ChecksDashboard \"Ops!\" is not a slug", error.Message, StringComparison.Ordinal);
    }
}
