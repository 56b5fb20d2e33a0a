using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>The HTTP contract on a real Kestrel bound to 127.0.0.1 (port 0), with the sample dashboards.</summary>
public sealed class ServerTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;
    private HttpClient _http = null!;

    private ServerOptions Options => new()
    {
        Urls = "http://127.0.0.1:0",
        DataDirectory = _data.Path,
        DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        MaxBodyBytes = 64 * 1024,
        MaxEventsPerRequest = 50,
        SseKeepAlive = TimeSpan.FromMilliseconds(200),
    };

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(Options);
        _http = _server.Http;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private Task<HttpResponseMessage> PostAsync(string body, string contentType = "application/json", string path = "/api/events") =>
        _http.PostAsync(path, new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType)));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>Waits, with a bound, until the cache of <paramref name="id"/> holds <paramref name="position"/>.</summary>
    private async Task<JsonElement> CacheAtAsync(string id, long position)
    {
        await _server.ProjectedAsync(position);
        var response = await _http.GetAsync($"/api/dashboards/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonAsync(response);
    }

    private const string Alert = """{"dashboard":"costs","section":"alerts","action":"budget_exceeded","priority":"critical","content":{"category":"cloud","current":1250,"limit":1000}}""";

    [Fact]
    public async Task One_event_is_accepted_and_reaches_its_caches()
    {
        var response = await PostAsync(Alert);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await JsonAsync(response);
        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(1, answer.GetProperty("first").GetInt64());
        Assert.Equal(0, answer.GetProperty("rejected").GetArrayLength());
        var costs = await CacheAtAsync("costs", 1);
        Assert.Equal("1250 of 1000 (cloud)", costs.GetProperty("sections").GetProperty("budget").GetProperty("text").GetString());
        await CacheAtAsync("command-center", 1);
    }

    [Fact]
    public async Task In_a_batch_valid_events_are_stored_and_bad_ones_named_by_index_and_field()
    {
        var response = await PostAsync($$"""[{{Alert}}, {"dashboard":"../etc","section":"a","action":"b"}, {{Alert}}, {"dashboard":"a","section":"b","action":"c","colour":1}]""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await JsonAsync(response);
        Assert.Equal((2, 1L, 2L), (answer.GetProperty("accepted").GetInt32(), answer.GetProperty("first").GetInt64(), answer.GetProperty("last").GetInt64()));
        var rejected = answer.GetProperty("rejected").EnumerateArray().Select(r => (r.GetProperty("index").GetInt32(), r.GetProperty("field").GetString())).ToList();
        Assert.Equal([(1, "dashboard"), (3, "colour")], rejected);
    }

    [Fact]
    public async Task Ndjson_is_one_event_per_line_and_durable_waits_for_the_fsync()
    {
        var response = await PostAsync($"{Alert}\n\n{Alert}\r\n{Alert}\n", "application/x-ndjson", "/api/events?durable=true");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, (await JsonAsync(response)).GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task No_valid_event_is_a_400_problem_listing_each()
    {
        var response = await PostAsync("""[{"dashboard":"Costs","section":"a","action":"b"},{"section":"a","action":"b"}]""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal([0, 1], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("index").GetInt32()));
        Assert.Contains("dashboard: \"Costs\" is not a slug", problem.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain", HttpStatusCode.UnsupportedMediaType, "send application/json")]
    [InlineData("application/json; charset=iso-8859-1", HttpStatusCode.UnsupportedMediaType, "in UTF-8")]
    public async Task Other_content_types_are_415(string contentType, HttpStatusCode status, string detail)
    {
        var request = new ByteArrayContent(Encoding.UTF8.GetBytes(Alert));
        request.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await _http.PostAsync("/api/events", request);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(detail, (await JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"dashboard":"a",""", "malformed JSON at byte")]
    [InlineData("""[{"dashboard":"a"},""", "malformed JSON at byte")]
    [InlineData("""42""", "must be a JSON object or array")]
    [InlineData("""   """, "the body is empty")]
    [InlineData("""[]""", "the array is empty")]
    public async Task Unreadable_bodies_are_400_with_what_to_fix(string body, string detail)
    {
        var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, (await JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_large_a_body_or_too_many_events_is_413()
    {
        // As curl does for large bodies, ask before sending: the server refuses on the headers, before the body.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = new StringContent($$"""{"dashboard":"a","section":"b","action":"c","content":"{{new string('x', 70 * 1024)}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        var big = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        var many = await PostAsync("[" + string.Join(",", Enumerable.Repeat(Alert, 51)) + "]");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, many.StatusCode);
        Assert.Contains("more than 50 events", (await JsonAsync(many)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_is_400()
    {
        var bytes = Encoding.UTF8.GetBytes(Alert);
        bytes[20] = 0xC3;
        bytes[21] = 0x28;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await _http.PostAsync("/api/events", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid UTF-8", (await JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cache_comes_with_an_etag_and_revalidates_with_304()
    {
        await PostAsync(Alert);
        await CacheAtAsync("costs", 1);
        var first = await _http.GetAsync("/api/dashboards/costs");
        var etag = first.Headers.ETag!;
        var again = new HttpRequestMessage(HttpMethod.Get, "/api/dashboards/costs");
        again.Headers.IfNoneMatch.Add(etag);
        var revalidated = await _http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        await PostAsync(Alert);
        await CacheAtAsync("costs", 2);
        var changed = new HttpRequestMessage(HttpMethod.Get, "/api/dashboards/costs");
        changed.Headers.IfNoneMatch.Add(etag);
        var fresh = await _http.SendAsync(changed);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.NotEqual(etag, fresh.Headers.ETag);
    }

    [Theory]
    [InlineData("/api/dashboards/Costs")]
    [InlineData("/api/dashboards/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/api/dashboards/no-such-board")]
    public async Task Unknown_or_hostile_ids_are_404(string path)
    {
        var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Markup_in_an_event_is_stored_and_served_as_escaped_text()
    {
        await PostAsync("""{"dashboard":"mindminer","section":"leads","action":"new_inquiry","content":{"id":"x","from":"<script>alert(1)</script>","message":"<img src=x onerror=alert(2)>"}}""");
        await CacheAtAsync("mindminer", 1);
        var raw = await _http.GetStringAsync("/api/dashboards/mindminer");
        Assert.DoesNotContain("<script>", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", raw, StringComparison.Ordinal);
        var item = JsonDocument.Parse(raw).RootElement.GetProperty("sections").GetProperty("leads").GetProperty("items")[0];
        Assert.Equal("<script>alert(1)</script>: <img src=x onerror=alert(2)>", item.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Health_schema_and_the_dashboard_list_answer()
    {
        var health = await JsonAsync(await _http.GetAsync("/healthz"));
        Assert.Equal("ok", health.GetProperty("status").GetString());
        var schema = await _http.GetAsync("/schema/event.json");
        Assert.Equal("application/schema+json", schema.Content.Headers.ContentType!.MediaType);
        Assert.Equal(EventSchema.Utf8.ToArray(), await schema.Content.ReadAsByteArrayAsync());
        await PostAsync(Alert);
        await CacheAtAsync("costs", 1);
        var list = await JsonAsync(await _http.GetAsync("/api/dashboards"));
        Assert.Equal(10, list.GetArrayLength());
        Assert.Contains(list.EnumerateArray(), d => d.GetProperty("id").GetString() == "costs" && d.GetProperty("position").GetInt64() == 1);
        Assert.True(File.Exists(Path.Combine(_data.Path, "server.json")));
    }

    [Fact]
    public async Task The_stream_sends_the_cache_on_every_change_as_one_line_frames()
    {
        await PostAsync(Alert);
        var first = await CacheAtAsync("costs", 1);
        using var response = await _http.GetAsync("/api/dashboards/costs/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal("retry: 3000", await reader.ReadLineAsync(bound.Token));
        Assert.Equal("", await reader.ReadLineAsync(bound.Token));
        Assert.Equal(("id: 1", "event: cache"), (await reader.ReadLineAsync(bound.Token), await reader.ReadLineAsync(bound.Token)));
        var data = await reader.ReadLineAsync(bound.Token);
        Assert.Equal("data: " + first.GetRawText(), data);
        Assert.Equal("", await reader.ReadLineAsync(bound.Token));

        await PostAsync("""{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"gpu","current":"line\nbreak","limit":1}}""");
        var next = await NextFrameAsync(reader, bound.Token);
        Assert.Equal("id: 2", next[0]);
        Assert.Equal(3, next.Count); // id, event, one data line: the newline in the event stayed escaped
        Assert.Contains("line\\nbreak", next[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reconnect_with_the_last_event_id_waits_for_the_next_change()
    {
        await PostAsync(Alert);
        await CacheAtAsync("costs", 1);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/dashboards/costs/stream");
        request.Headers.Add("Last-Event-ID", "1");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal("retry: 3000", await reader.ReadLineAsync(bound.Token));
        Assert.Equal("", await reader.ReadLineAsync(bound.Token));
        Assert.Equal(": keepalive", await reader.ReadLineAsync(bound.Token)); // nothing new: only the keep-alive comment
        Assert.Equal("", await reader.ReadLineAsync(bound.Token));
        await PostAsync(Alert);
        var next = await NextFrameAsync(reader, bound.Token);
        Assert.Equal("id: 2", next[0]);
    }

    /// <summary>The next frame's lines, skipping keep-alive comments.</summary>
    private static async Task<List<string>> NextFrameAsync(StreamReader reader, CancellationToken token)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync(token) is { } line)
        {
            if (line.Length == 0)
            {
                if (lines.Count > 0 && !lines[0].StartsWith(':'))
                {
                    return lines;
                }
                lines.Clear();
                continue;
            }
            lines.Add(line);
        }
        return lines;
    }

    [Fact]
    public void A_second_server_on_the_same_data_is_refused_before_it_listens()
    {
        var error = Assert.Throws<Pulseboard.Log.LogLockedException>(() => PulseboardServer.Build(Options, logging => logging.ClearProviders()));
        Assert.Equal(Environment.ProcessId, error.OwnerPid);
    }

    [Fact]
    public void Asked_to_listen_off_loopback_it_refuses_to_start()
    {
        using var other = new TempDirectory();
        var error = Assert.Throws<InvalidOperationException>(() => PulseboardServer.Build(new ServerOptions { Urls = "http://0.0.0.0:0", DataDirectory = other.Path }));
        Assert.Contains("not a loopback address", error.Message, StringComparison.Ordinal);
    }
}
