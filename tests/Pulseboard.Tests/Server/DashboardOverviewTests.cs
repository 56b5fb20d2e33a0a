using Microsoft.Extensions.Time.Testing;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Server;
using Pulseboard.Server.Serving;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>The dashboard overview: one line per cache, built by one piece of code for the server and the static export.</summary>
public sealed class DashboardOverviewTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _data = new();
    private readonly TempDirectory _dashboards = new();

    public void Dispose()
    {
        _data.Dispose();
        _dashboards.Dispose();
    }

    /// <summary>A definition with a heartbeat first, then the stat that is its key, a counter, and two feeds.</summary>
    internal const string Ops = """
        title: Ops
        order: 5
        refresh: 30s
        stale_after: 10m
        sections:
          beats: { kind: heartbeat, title: Agents, every: 30s, grace: 10s, from: { action: heartbeat } }
          budget: { kind: stat, title: Budget, value: content.budget, from: { section: budget } }
          count: { kind: counter, from: { section: budget } }
          alerts: { kind: feed, text: "{content.n}", from: { section: alerts } }
          incidents: { kind: feed, text: "incident {content.n}", from: { section: incidents } }
        """;

    /// <summary>Two heartbeats, a budget, and 30 alternating feed items: every third one critical, times out of order.</summary>
    internal static List<Event> OpsEvents()
    {
        var events = new List<Event>
        {
            Beat("b-agent", s_t0.AddSeconds(1)),
            Beat("a-agent", s_t0.AddSeconds(2)),
            Event.Create("ops", "budget", "spend", """{"budget":{"used":700,"limit":1000}}""").WithTimestamp(s_t0.AddSeconds(3)),
        };
        for (var i = 0; i < 30; i++)
        {
            events.Add(new Event
            {
                Dashboard = "ops", Section = i % 2 == 0 ? "alerts" : "incidents", Action = "raised", Content = Event.ParseContent($$"""{"n":{{i}}}"""),
                Priority = i % 3 == 0 ? Priority.Critical : Priority.High,
                Timestamp = s_t0.AddMinutes(i % 5 == 4 ? 1 : 2 + i), // every fifth one late, with an older time
            });
        }
        return events;
    }

    private static Event Beat(string source, DateTimeOffset at) =>
        new() { Dashboard = "ops", Section = "agents", Action = "heartbeat", Source = source, Content = Event.ParseContent("{}"), Timestamp = at };

    private async Task<byte[]> ProjectAsync()
    {
        File.WriteAllText(Path.Combine(_dashboards.Path, "ops.yaml"), Ops);
        var clock = new FakeTimeProvider(s_t0.AddHours(1));
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, TimeProvider = clock });
        await log.AppendAsync(OpsEvents());
        using var projector = Projector.Open(new ProjectorOptions { DataDirectory = _data.Path, DashboardsDirectory = _dashboards.Path, TimeProvider = clock, FsyncCaches = false }, log);
        projector.RunOnce(log);
        return File.ReadAllBytes(Path.Combine(_data.Path, "caches", "ops.json"));
    }

    private static string Json(IReadOnlyList<DashboardSummary> list) =>
        Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(list, ServerJsonContext.Default.IReadOnlyListDashboardSummary));

    [Fact]
    public async Task A_cache_becomes_its_overview_line()
    {
        var summary = DashboardOverview.Read("ops", await ProjectAsync(), "/api/dashboards/ops");
        // Critical: n = 0, 3, 6, … 27; n = 9, 24 are late (1 minute in), so newest first is 27, 21, 18, 15, 12, 6, 3, 0, then 24, 9.
        var critical = string.Join(",", new[] { 27, 21, 18, 15, 12, 6, 3, 0, 24, 9 }.Select(n =>
            $$"""{"section":"{{(n % 2 == 0 ? "alerts" : "incidents")}}","text":"{{(n % 2 == 0 ? "" : "incident ")}}{{n}}","at":"{{(n % 5 == 4 ? "2026-11-22T12:01:00Z" : $"2026-11-22T12:{2 + n:00}:00Z")}}"}"""));
        Assert.Equal($$"""
            [{"id":"ops","title":"Ops","lastUpdate":"2026-11-22T13:00:00Z","position":33,"url":"/api/dashboards/ops","order":5,"refresh":30,"staleAfter":600,"generated":"2026-11-22T13:00:00Z",
            "key":{"section":"budget","title":"Budget","kind":"stat","value":{"used":700,"limit":1000},"text":"used: 700 \u00B7 limit: 1000","updated":"2026-11-22T12:00:03Z"},
            "heartbeats":[{"section":"beats","title":"Agents","every":30,"grace":10,"sources":[{"key":"a-agent","last":"2026-11-22T12:00:02Z"},{"key":"b-agent","last":"2026-11-22T12:00:01Z"}]}],
            "critical":[{{critical}}]}]
            """.ReplaceLineEndings(""), Json([summary]));
    }

    [Fact]
    public void At_most_twenty_critical_items_are_listed_and_a_dashboard_without_stat_or_counter_has_no_key()
    {
        var items = string.Join(",", Enumerable.Range(1, 30).Select(i => $$"""{"text":"t{{i}}","action":"x","priority":"critical","at":"2026-11-22T12:{{i:00}}:00Z","seq":{{i}}}"""));
        var cache = """{"dashboard":"d","title":"D","lastUpdate":null,"position":0,"refresh":60,"staleAfter":null,"sections":{"f":{"kind":"feed","title":"F","from":"events to d/f","updated":null,"max":50,"items":[ITEMS]}}}""".Replace("ITEMS", items, StringComparison.Ordinal);
        var summary = DashboardOverview.Read("d", Encoding.UTF8.GetBytes(cache), "caches/d.json");
        Assert.Null(summary.Key);
        Assert.Null(summary.Order);
        Assert.Null(summary.StaleAfter);
        Assert.Equal(Enumerable.Range(11, 20).Reverse().Select(i => $"t{i}"), summary.Critical.Select(c => c.Text));
        Assert.Contains("\"key\":null", Json([summary]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_list_is_ordered_by_order_then_title_ignoring_case_then_id()
    {
        static DashboardSummary S(string id, string title, int? order) => new(id, title, null, 0, "", order, 60, null, null, null, [], []);
        var sorted = DashboardOverview.Sort([S("z", "zeta", null), S("b", "Beta", null), S("a2", "alpha", null), S("a1", "Alpha", null), S("late", "A", 20), S("first", "Z", -1), S("mid", "M", 10)]);
        Assert.Equal(["first", "mid", "late", "a1", "a2", "b", "z"], sorted.Select(s => s.Id));
    }

    [Fact]
    public async Task The_server_lists_every_dashboard_with_its_overview_computed_once_per_change()
    {
        foreach (var sample in new[] { "costs.yaml", "fleet.yaml" })
        {
            File.Copy(Path.Combine(Repo.Root, "dashboards", sample), Path.Combine(_dashboards.Path, sample));
        }
        File.WriteAllText(Path.Combine(_dashboards.Path, "ops.yaml"), Ops);
        await using var server = await TestServer.StartAsync(new ServerOptions { Urls = "http://127.0.0.1:0", DataDirectory = _data.Path, DashboardsDirectory = _dashboards.Path });
        var body = new StringBuilder("[");
        body.AppendJoin(",", OpsEvents().Select(e => Encoding.UTF8.GetString(EventJson.ToUtf8(e))));
        body.Append(']');
        var response = await server.Http.PostAsync("/api/events", new StringContent(body.ToString(), Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        await server.ProjectedAsync(33);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var list = JsonDocument.Parse(await server.Http.GetStringAsync("/api/dashboards", bound.Token)).RootElement;

        Assert.Equal(["ops", "costs", "fleet"], list.EnumerateArray().Select(d => d.GetProperty("id").GetString())); // ops has order: 5
        var ops = list[0];
        var cache = await server.Http.GetByteArrayAsync("/api/dashboards/ops", bound.Token);
        Assert.Equal(Json([DashboardOverview.Read("ops", cache, "/api/dashboards/ops")])[1..^1], ops.GetRawText());
        Assert.Equal("/api/dashboards/ops", ops.GetProperty("url").GetString());
        Assert.Equal(5, ops.GetProperty("order").GetInt32());
        Assert.Equal("budget", ops.GetProperty("key").GetProperty("section").GetString());
        Assert.Equal(2, ops.GetProperty("heartbeats")[0].GetProperty("sources").GetArrayLength());
        Assert.Equal(10, ops.GetProperty("critical").GetArrayLength());
        var fleet = list[2];
        Assert.Equal(JsonValueKind.Null, fleet.GetProperty("order").ValueKind);
        Assert.Equal(JsonValueKind.Null, fleet.GetProperty("key").ValueKind);
        Assert.Equal("status", fleet.GetProperty("heartbeats")[0].GetProperty("section").GetString());
        Assert.Equal("""{"section":"budget","title":"Budget","kind":"stat","value":null,"text":null,"updated":null}""", list[1].GetProperty("key").GetRawText()); // no event yet
        // Computed when a cache changes, not per request: a refresh that finds no change keeps the very same list.
        var store = server.App.Services.GetRequiredService<CacheStore>();
        var before = store.Overview;
        store.Refresh();
        Assert.Same(before, store.Overview);
    }
}
