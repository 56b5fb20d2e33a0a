using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Compat;

/// <summary>Healthchecks-style pings: <c>/ping/{slug}</c> and its suffixes, each one event in <c>checks/pings</c>.</summary>
public sealed class PingTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero));
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        var options = TestServer.Options(_data.Path);
        _server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = options.Urls, DataDirectory = options.DataDirectory, DashboardsDirectory = options.DashboardsDirectory, TimeProvider = _clock,
        });
    }

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

    [Fact]
    public async Task Each_signal_answers_OK_and_writes_one_event_with_the_action_status_and_exit_code()
    {
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "/ping/nightly-backup"), (HttpMethod.Head, "/ping/nightly-backup"), (HttpMethod.Post, "/ping/nightly-backup/start"),
            (HttpMethod.Get, "/ping/nightly-backup/log"), (HttpMethod.Get, "/ping/nightly-backup/fail"), (HttpMethod.Get, "/ping/nightly-backup/3"),
            (HttpMethod.Post, "/ping/nightly-backup/0"),
        })
        {
            var response = await SendAsync(method, path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(method == HttpMethod.Head ? "" : "OK", await response.Content.ReadAsStringAsync());
        }

        var events = _server.Events();
        Assert.All(events, e => Assert.Equal(("checks", "pings", "nightly-backup"), (e.Dashboard, e.Section, e.Source)));
        Assert.Equal(
            ["ping up (none)", "ping up (none)", "start started (none)", "log log (none)", "fail down (none)", "fail down 3", "ping up 0"],
            events.Select(e => $"{e.Action} {e.Text("status")} {e.Text("exit_code")}"));
    }

    [Fact]
    public async Task A_start_then_its_end_carry_the_run_time_paired_by_rid()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping/etl/start?rid=run-a")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping/etl/start?rid=run-b")).StatusCode);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping/etl/0?rid=run-a")).StatusCode);
        _clock.Advance(TimeSpan.FromSeconds(5.5));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping/etl/fail?rid=run-b")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping/etl?rid=run-b")).StatusCode); // its start was used

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping/report/start")).StatusCode);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping/report")).StatusCode);

        Assert.Equal(
            ["start (none) run-a", "start (none) run-b", "ping 30 run-a", "fail 35.5 run-b", "ping (none) run-b", "start (none) (none)", "ping 120 (none)"],
            _server.Events().Select(e => $"{e.Action} {e.Text("run_s")} {e.Text("rid")}"));
    }

    [Fact]
    public async Task A_post_body_keeps_its_first_10_KB_as_text_and_one_over_100_KB_is_413()
    {
        var output = string.Concat(Enumerable.Repeat("é line of output\n", 1_000)); // 18,000 bytes, two-byte characters in it
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/ping/db-vacuum/1", output)).StatusCode);
        var kept = _server.Events().Single().Text("body");
        Assert.True(Encoding.UTF8.GetByteCount(kept) is > 10 * 1024 - 4 and <= 10 * 1024, $"{Encoding.UTF8.GetByteCount(kept)} bytes kept");
        Assert.StartsWith(kept, output, StringComparison.Ordinal);

        var huge = await SendAsync(HttpMethod.Post, "/ping/db-vacuum/log", new string('x', 101 * 1024));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Contains("over 100 KB", await huge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(_server.Events());
    }

    [Fact]
    public async Task A_body_that_escaping_would_swell_past_a_small_event_limit_is_cut_to_fit_not_refused()
    {
        using var data = new TempDirectory();
        var options = TestServer.Options(data.Path);
        await using var small = await TestServer.StartAsync(new ServerOptions
        {
            Urls = options.Urls, DataDirectory = options.DataDirectory, DashboardsDirectory = options.DashboardsDirectory, MaxEventBytes = 2048,
        });
        // 10 KB of control characters, accents and CJK: each written as an escape such as \u00e9 in JSON, six times its size or more.
        var output = string.Concat(Enumerable.Repeat("\u0001é漢\t<", 1_000));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ping/db-vacuum/fail") { Content = new StringContent(output, Encoding.UTF8, "text/plain") };
        using var response = await small.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var kept = small.Events().Single().Text("body");
        Assert.StartsWith(kept, output, StringComparison.Ordinal);
        Assert.True(kept.Length > 100, $"{kept.Length} characters kept");
        Assert.False(char.IsHighSurrogate(kept[^1]));
    }

    [Theory]
    [InlineData("/ping/backup/256", "exit code \"256\" is out of range: send the command's exit status, 0 to 255 (0 is a success)")]
    [InlineData("/ping/backup/-1", "\"-1\" is not start, fail, log or an exit code")]
    [InlineData("/ping/backup/finish", "\"finish\" is not start, fail, log or an exit code")]
    [InlineData("/ping/backup/start/now", "a ping is /ping/<slug>")]
    [InlineData("/ping/", "a ping is /ping/<slug>")]
    [InlineData("/ping/nightly%20backup", "/ping/nightly backup: source: \"nightly backup\" is not a name (^[A-Za-z0-9_.:-]{1,64}$)")]
    [InlineData("/ping/backup?rid=a%20b", "rid: \"a b\" is not a run id")]
    public async Task A_bad_ping_is_a_400_that_says_what_to_fix_and_stores_nothing(string path, string detail)
    {
        var response = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_server.Events());
    }
}
