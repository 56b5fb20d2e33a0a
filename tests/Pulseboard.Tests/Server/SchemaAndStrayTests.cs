using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pulseboard.Projection.Definitions;
using Pulseboard.Server;
using Pulseboard.Server.Metrics;
using Pulseboard.Tests.Projection;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>
/// What a model is told on a real server: each section's strict schema (<c>/schema/{dashboard}/{section}.json</c>),
/// every example round-tripping into its section's cache, and stray events flagged in the 202 and counted in /metrics.
/// </summary>
public sealed class SchemaAndStrayTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(TestServer.Options(_data.Path));
        _http = _server.Http;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private Task<HttpResponseMessage> PostAsync(string body, string path = "/api/events") =>
        _http.PostAsync(path, new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));

    /// <summary>Waits, with a bound, until the cache of <paramref name="id"/> holds <paramref name="position"/>.</summary>
    private async Task<JsonNode> CacheAtAsync(string id, long position)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var response = await _http.GetAsync($"/api/dashboards/{id}", bound.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var cache = JsonNode.Parse(await response.Content.ReadAsStringAsync(bound.Token))!;
                if (cache["position"]!.GetValue<long>() >= position)
                {
                    return cache;
                }
            }
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Each_sections_schema_is_served_as_generated()
    {
        foreach (var (dashboard, section) in SectionSchemaTests.SampleSections)
        {
            var response = await _http.GetAsync($"/schema/{dashboard.Id}/{section.Id}.json");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/schema+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(SectionSchema.ToUtf8(SectionSchema.For(dashboard, section)), await response.Content.ReadAsByteArrayAsync());
        }
        var generic = await _http.GetAsync("/schema/event.json");
        Assert.Equal(EventSchema.Utf8.ToArray(), await generic.Content.ReadAsByteArrayAsync()); // still the validation contract
    }

    [Fact]
    public async Task An_unknown_dashboard_or_section_is_a_404_problem_naming_the_known_ones()
    {
        var dashboard = await _http.GetAsync("/schema/cost/spend.json");
        Assert.Equal(HttpStatusCode.NotFound, dashboard.StatusCode);
        Assert.Equal("application/problem+json", dashboard.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await dashboard.Content.ReadAsStringAsync())!;
        Assert.Equal($"there is no dashboard \"cost\"; the dashboards are {string.Join(", ", SectionSchemaTests.Samples.Select(d => d.Id))}",
            problem["detail"]!.GetValue<string>());

        var section = await _http.GetAsync("/schema/costs/spnd.json");
        Assert.Equal(HttpStatusCode.NotFound, section.StatusCode);
        Assert.Equal("the dashboard \"costs\" has no section \"spnd\"; its sections are budget, spend-total, spend, spend-per-day, alerts, by-model",
            JsonNode.Parse(await section.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());

        var hostile = await _http.GetAsync("/schema/..%2F..%2Fetc/%3Cscript%3E.json");
        Assert.Equal(HttpStatusCode.NotFound, hostile.StatusCode);
    }

    [Fact]
    public async Task Every_example_is_accepted_and_changes_its_sections_cache()
    {
        foreach (var (dashboard, section) in SectionSchemaTests.SampleSections)
        {
            var name = $"{dashboard.Id}/{section.Id}";
            var current = await _http.GetAsync($"/api/dashboards/{dashboard.Id}");
            var before = current.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await current.Content.ReadAsStringAsync())!["sections"]![section.Id] : null;
            var response = await PostAsync(SectionSchema.Example(dashboard, section).ToJsonString(), "/api/events?positions=true");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{name}: {body}");
            var answer = JsonNode.Parse(body)!.AsObject();
            Assert.False(answer.ContainsKey("unmatched"), $"{name}: the example was flagged as stray: {body}");
            var seq = answer["positions"]![0]!.GetValue<long>();
            var after = (await CacheAtAsync(dashboard.Id, seq))["sections"]![section.Id]!;
            Assert.NotNull(after["updated"]);
            Assert.False(JsonNode.DeepEquals(before, after), $"{name}: the example left the section as it was");
            Assert.True((before?["skipped"]?.GetValue<long>() ?? 0) == (after["skipped"]?.GetValue<long>() ?? 0), $"{name}: the section skipped its own example: {after}");
        }
    }

    [Fact]
    public async Task Stray_events_are_stored_flagged_by_index_and_counted_by_dashboard()
    {
        var batch = """
            [{"dashboard":"costs","section":"spend","action":"spend","content":{"usd":2}},
             {"dashboard":"cots","section":"spend","action":"spend","id":"stray-1"},
             {"dashboard":"costs","section":"spend","action":"spend","colour":"red"},
             {"dashboard":"fleet","section":"models","action":"heartbeet","source":"llama"},
             {"dashboard":"velocity","section":"anything","action":"task_completed"}]
            """;
        var response = await PostAsync(batch);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(4, answer["accepted"]!.GetValue<int>());
        Assert.Equal("[1,3]", answer["unmatched"]!.ToJsonString());

        var retry = await PostAsync("""{"dashboard":"cots","section":"spend","action":"spend","id":"stray-1"}""");
        Assert.Equal("[0]", JsonNode.Parse(await retry.Content.ReadAsStringAsync())!["unmatched"]!.ToJsonString()); // flagged again, counted once

        var metrics = await _http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE pulseboard_events_unmatched_total counter\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_events_unmatched_total{dashboard=\"cots\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_events_unmatched_total{dashboard=\"fleet\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("pulseboard_events_unmatched_total{dashboard=\"costs\"}", metrics, StringComparison.Ordinal);

        var matched = await PostAsync("""{"dashboard":"costs","section":"spend","action":"spend","content":{"usd":1}}""");
        Assert.DoesNotContain("unmatched", await matched.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_compatible_endpoints_count_what_they_store_and_their_strays_as_ingest_does()
    {
        using var data = new TempDirectory();
        var options = TestServer.Options(data.Path);
        await using var server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = options.Urls, DataDirectory = options.DataDirectory, DashboardsDirectory = options.DashboardsDirectory, ChecksDashboard = "cron",
        });
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/ping/nightly-backup")).StatusCode); // no definition of "cron" takes it
        var metrics = await server.Http.GetStringAsync("/metrics");
        Assert.Contains("pulseboard_events_appended_total{dashboard=\"cron\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_events_unmatched_total{dashboard=\"cron\"} 1\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public void Stray_dashboards_get_a_series_each_up_to_a_bound_and_the_rest_share_one()
    {
        using var metrics = new ServerMetrics();
        var events = Enumerable.Range(0, ServerMetrics.MaxDashboardLabels + 5).Append(0)
            .Select(i => new Event { Dashboard = $"typo-{i}", Section = "s", Action = "a" }).ToList();
        var outcomes = events.Select((_, i) => AppendOutcome.At(i + 1)).ToList();
        outcomes.Add(AppendOutcome.DuplicateOf(1)); // a retry: not stored again, not counted
        events.Add(events[0]);
        metrics.CountAppended(events, outcomes, _ => false);
        foreach (var name in new[] { "pulseboard_events_unmatched", "pulseboard_events_appended" })
        {
            var sums = metrics.Sums(name).ToDictionary(s => s.Tag, s => s.Sum);
            Assert.Equal(ServerMetrics.MaxDashboardLabels + 1, sums.Count);
            Assert.Equal(5, sums["dashboard=_other"]);
            Assert.Equal(2, sums["dashboard=typo-0"]);
        }
    }
}

/// <summary>The schema route reads like a cache: with read tokens, it needs one.</summary>
public sealed class SchemaAuthTests : IAsyncLifetime
{
    private const string Wall = "wall-read-token-0123456";
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new ServerOptions
    {
        Urls = "http://127.0.0.1:0",
        DataDirectory = _data.Path,
        DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        TokensJson = $$"""[ {"name": "wall", "token": "{{Wall}}", "read": true} ]""",
    });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Without_a_read_token_it_is_401_and_with_one_200()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Http.GetAsync("/schema/costs/spend.json")).StatusCode);
        var request = new HttpRequestMessage(HttpMethod.Get, "/schema/costs/spend.json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Wall);
        var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("costs/spend event", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
    }
}
