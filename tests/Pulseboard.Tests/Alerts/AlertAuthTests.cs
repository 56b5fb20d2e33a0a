using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>Alerts and silences follow the server's token rules: reading with a read token, silencing with a write token in its scope.</summary>
public sealed class AlertAuthTests
{
    private const string Ops = "ops-0123456789abcdef";
    private const string Accountant = "acct-0123456789abcdef";
    private const string Wall = "wall-0123456789abcdef";

    [Fact]
    public async Task Reading_takes_a_read_token_and_silencing_a_write_token_that_covers_the_dashboard()
    {
        using var data = new TempDirectory();
        await using var server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = data.Path,
            DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
            TokensJson = $$"""
                [{"name":"ops","token":"{{Ops}}","dashboards":["*"]},
                 {"name":"accountant","token":"{{Accountant}}","dashboards":["costs"]},
                 {"name":"wall","token":"{{Wall}}","read":true}]
                """,
        });
        async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string? token, string? body = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }
            using var response = await server.Http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Get, "/api/alerts", null));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/alerts", Wall));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Get, "/api/silences", null));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/silences", Wall));

        const string Fleet = """{"dashboard":"fleet","duration":"1h"}""";
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Post, "/api/silences", null, Fleet));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Post, "/api/silences", "not-a-token-of-this-server", Fleet));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "/api/silences", Accountant, Fleet));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "/api/silences", Accountant, """{"alert":"x","duration":"1h"}"""));
        Assert.Equal(HttpStatusCode.Created, await SendAsync(HttpMethod.Post, "/api/silences", Accountant, """{"dashboard":"costs","duration":"1h"}"""));
        Assert.Equal(HttpStatusCode.Created, await SendAsync(HttpMethod.Post, "/api/silences", Ops, Fleet));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Delete, "/api/silences/abc", null));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Delete, "/api/silences/abc", Ops));

        // Removing takes what adding took: the accountant (costs only) and the wall (read only) cannot lift fleet's silence.
        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/silences");
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Wall);
        using var listed = await server.Http.SendAsync(list);
        var fleet = System.Text.Json.JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Single(s => s.TryGetProperty("dashboard", out var d) && d.GetString() == "fleet").GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Delete, $"/api/silences/{fleet}", Accountant));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Delete, $"/api/silences/{fleet}", Wall));
        Assert.Equal(HttpStatusCode.NoContent, await SendAsync(HttpMethod.Delete, $"/api/silences/{fleet}", Ops));
    }
}
