using System.Net;
using System.Text;
using System.Text.Json;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Compat;

/// <summary>Uptime Kuma-style pushes (<c>/api/push/{slug}</c>) and Pushgateway-style pushes (<c>/metrics/job/…</c>).</summary>
public sealed class PushTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(TestServer.Options(_data.Path));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "text/plain");
        }
        return await _server.Http.SendAsync(request);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;

    [Fact]
    public async Task A_kuma_push_answers_ok_true_and_writes_status_msg_and_ping()
    {
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "/api/push/website?status=up&msg=OK&ping=42"), (HttpMethod.Post, "/api/push/api-gateway?status=down&msg=HTTP%20502"),
            (HttpMethod.Get, "/api/push/website"),
        })
        {
            var response = await SendAsync(method, path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("""{"ok":true}""", await response.Content.ReadAsStringAsync());
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        }
        var events = _server.Events();
        Assert.All(events, e => Assert.Equal(("checks", "push", "push"), (e.Dashboard, e.Section, e.Action)));
        Assert.Equal(
            ["""website {"status":"up","msg":"OK","ping":42}""", """api-gateway {"status":"down","msg":"HTTP 502","ping":null}""", """website {"status":"up","msg":"OK","ping":null}"""],
            events.Select(e => $"{e.Source} {e.Content.GetRawText()}"));
    }

    [Theory]
    [InlineData("/api/push/website?status=sideways", "status: \"sideways\" is not up or down")]
    [InlineData("/api/push/website?ping=fast", "ping: \"fast\" is not a number of milliseconds")]
    [InlineData("/api/push/a/b/c", "a push is /api/push/<slug>")]
    [InlineData("/api/push/web%20site", "source: \"web site\" is not a name")]
    public async Task A_bad_kuma_push_is_a_400_that_says_what_to_fix(string path, string detail)
    {
        var response = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, await DetailAsync(response), StringComparison.Ordinal);
        Assert.Empty(_server.Events());
    }

    [Fact]
    public async Task A_pushgateway_push_writes_one_event_per_sample_with_the_grouping_labels_over_its_own()
    {
        const string Body = """
            # HELP etl_rows Rows processed.
            # TYPE etl_rows counter
            etl_rows{table="orders",instance="overwritten"} 1200
            # a comment
            etl_duration_seconds 12.5
            etl_quote{text="say \"hi\"\nbye",} NaN
            etl_ratio +Inf
            etl_last_success_timestamp_seconds 1796158800.5
            """;
        var put = await SendAsync(HttpMethod.Put, "/metrics/job/etl/instance/etl-1", Body);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("", await put.Content.ReadAsStringAsync());
        var path = await SendAsync(HttpMethod.Post, $"/metrics/job/cleaner/path@base64/{Convert.ToBase64String("/var/tmp"u8).TrimEnd('=').Replace('/', '_')}", "files_deleted 3\n");
        Assert.Equal(HttpStatusCode.OK, path.StatusCode);
        var job = await SendAsync(HttpMethod.Post, $"/metrics/job@base64/{Convert.ToBase64String("nightly.sync"u8).TrimEnd('=')}/empty@base64/=", "synced 1\n");
        Assert.Equal(HttpStatusCode.OK, job.StatusCode);
        var delete = await SendAsync(HttpMethod.Delete, "/metrics/job/etl/instance/etl-1");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, "/metrics/job/cleaner", "")).StatusCode);

        Assert.Equal(
        [
            "etl etl_rows 1200 table=orders,instance=etl-1",
            "etl etl_duration_seconds 12.5 instance=etl-1",
            "etl etl_quote NaN text=say \"hi\"\nbye,instance=etl-1",
            "etl etl_ratio +Inf instance=etl-1",
            "etl etl_last_success_timestamp_seconds 1796158800.5 instance=etl-1",
            "cleaner files_deleted 3 path=/var/tmp",
            "nightly.sync synced 1 empty=",
            "etl group-deleted (none) instance=etl-1",
            "cleaner group-deleted (none) ",
        ], _server.Events().Select(e => $"{e.Source} {e.Action} {e.Text("value")} {string.Join(",", e.Content.GetProperty("labels").EnumerateObject().Select(l => $"{l.Name}={l.Value.GetString()}"))}"));
        Assert.All(_server.Events(), e => Assert.Equal(("checks", "metrics"), (e.Dashboard, e.Section)));
        Assert.Equal(["1200", "12.5", "NaN", "+Inf", "2026-12-01 21:00:00Z", "3", "1"], _server.Events().Where(e => e.Action != "group-deleted").Select(e => e.Text("shown")));

        var metrics = await _server.Http.GetStringAsync("/metrics"); // Pulseboard's own exposition is still there
        Assert.Contains("# TYPE pulseboard_log_end_seq gauge", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/metrics/job/etl", "etl_rows 1 1732244400000\n", "line 1: etl_rows has a timestamp (\"1732244400000\"); pushed metrics must not have one: drop it")]
    [InlineData("/metrics/job/etl", "ok 1\netl_rows{table=\"a} 1\n", "line 2: the value of label table has no closing quote")]
    [InlineData("/metrics/job/etl", "etl_rows one\n", "line 1: etl_rows: \"one\" is not a number")]
    [InlineData("/metrics/job/etl", "bad line here\n", "line 1: bad: \"line\" is not a number")]
    [InlineData("/metrics/job/etl", "# TYPE etl_rows meter\n", "line 1: # TYPE etl_rows needs one of counter, gauge, histogram, summary, untyped")]
    [InlineData("/metrics/job/etl", "9lives 1\n", "line 1: expected a metric name")]
    [InlineData("/metrics/job/etl/instance", "x 1\n", "the path has a label without a value (\"instance\")")]
    [InlineData("/metrics/job/etl/path@base64/%25%25", "x 1\n", "the value of path@base64 is not base64url")]
    [InlineData("/metrics/job/my%20job", "x 1\n", "source: \"my job\" is not a name")]
    public async Task A_malformed_push_is_a_400_that_names_the_line_and_stores_nothing(string path, string body, string detail)
    {
        var response = await SendAsync(HttpMethod.Post, path, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, await DetailAsync(response), StringComparison.Ordinal);
        Assert.Empty(_server.Events());
    }

    [Fact]
    public async Task The_checks_dashboard_shows_last_seen_failures_runs_monitors_and_metrics()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping/nightly-backup/start")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping/nightly-backup/0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/ping/db-vacuum/2", "error: disk full")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/api/push/website?status=up&ping=42")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/metrics/job/etl", "etl_rows 1200\n")).StatusCode);
        await _server.ProjectedAsync(_server.Log().End);

        var cache = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/dashboards/checks")).RootElement.GetProperty("sections");
        Assert.Equal(
            ["db-vacuum last signal: down", "nightly-backup last signal: up", "website last signal: up"],
            cache.GetProperty("status").GetProperty("sources").EnumerateArray().Select(s => $"{s.GetProperty("key").GetString()} {s.GetProperty("text").GetString()}"));
        var failure = Assert.Single(cache.GetProperty("failures").GetProperty("items").EnumerateArray());
        Assert.Equal("db-vacuum", failure.GetProperty("source").GetString());
        Assert.Contains("error: disk full", failure.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, cache.GetProperty("runs").GetProperty("rows").GetArrayLength());
        Assert.Equal("website", cache.GetProperty("monitors").GetProperty("rows")[0].GetProperty("key").GetString());
        Assert.Equal("etl_rows", cache.GetProperty("metrics").GetProperty("rows")[0].GetProperty("key").GetString());
    }
}
