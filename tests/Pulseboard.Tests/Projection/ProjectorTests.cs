using Microsoft.Extensions.Time.Testing;
using Pulseboard.Samples;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Projection;

public sealed partial class ProjectorTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _dashboards = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        _data.Dispose();
        _dashboards.Dispose();
    }

    private static string SampleDashboards => Path.Combine(Repo.Root, "dashboards");

    private Projector Open(IEventLogReader log, string? dashboards = null, string? data = null, int maxCycle = 1_000_000) =>
        Projector.Open(new ProjectorOptions
        {
            DataDirectory = data ?? _data.Path,
            DashboardsDirectory = dashboards ?? SampleDashboards,
            TimeProvider = _clock,
            FsyncCaches = false,
            MaxCycleEvents = maxCycle,
        }, log);

    private async Task<FileEventLog> LogWithAsync(int count, string? data = null)
    {
        var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data ?? _data.Path, TimeProvider = _clock, Retention = null });
        await log.AppendAsync(Enumerable.Range(0, count).Select(SampleTraffic.Make).ToList());
        return log;
    }

    private static void CatchUp(Projector projector, IEventLogReader log)
    {
        while (projector.RunOnce(log).Position < log.End)
        {
        }
    }

    private Dictionary<string, string> Caches(string? data = null) => CacheFolder.Read(data ?? _data.Path);

    private static JsonElement Section(string cache, string section) =>
        JsonDocument.Parse(cache).RootElement.GetProperty("sections").GetProperty(section);

    [Fact]
    public async Task Events_land_in_every_dashboard_whose_sections_take_them()
    {
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, TimeProvider = _clock });
        await log.AppendAsync([
            Event.Create("costs", "alerts", "budget_exceeded", """{"category":"cloud","current":1250,"limit":1000}""").WithTimestamp(_clock.GetUtcNow()),
            new Event { Dashboard = "fleet", Section = "models", Action = "heartbeat", Source = "llama-3", Content = Event.ParseContent("""{"tokens_per_s":41.5}""") },
        ]);
        using (var projector = Open(log))
        {
            var cycle = projector.RunOnce(log);
            Assert.Equal((2L, 2L, 10, 2L), (cycle.Events, cycle.Applied, cycle.CachesWritten, cycle.Position));
            Assert.Equal(10, cycle.Written.Count);
        }
        var caches = Caches();
        Assert.Equal(10, caches.Count);
        Assert.Equal("1250 of 1000 (cloud)", Section(caches["costs.json"], "budget").GetProperty("text").GetString());
        Assert.Equal("1250 of 1000 (cloud)", Section(caches["command-center.json"], "budget").GetProperty("text").GetString());
        Assert.Equal("llama-3", Section(caches["fleet.json"], "status").GetProperty("sources")[0].GetProperty("key").GetString());
        Assert.Equal(["Agent", "Model", "Tokens/s", "Latency (ms)", "Memory (MB)", "Status"],
            Section(caches["fleet.json"], "models").GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("llama-3", Section(caches["command-center.json"], "agents").GetProperty("sources")[0].GetProperty("key").GetString());
        var costs = JsonDocument.Parse(caches["costs.json"]).RootElement;
        Assert.Equal(1, costs.GetProperty("position").GetInt64());
        Assert.Equal(900, costs.GetProperty("staleAfter").GetInt64());
        Assert.StartsWith("sha256:", costs.GetProperty("definitionHash").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cache_carries_its_order_when_given_and_says_what_feeds_each_section()
    {
        File.WriteAllText(Path.Combine(_dashboards.Path, "first.yaml"), "title: First\norder: 10\nsections:\n  spend: { kind: counter }\n  alerts:\n    kind: feed\n    from: [ { section: alerts, action: \"budget_*\" }, { dashboard: \"*\", priority: high } ]\n");
        File.WriteAllText(Path.Combine(_dashboards.Path, "second.yaml"), "title: Second\nsections:\n  beats: { kind: heartbeat, every: 60s, from: { dashboard: \"*\", action: heartbeat } }\n");
        await using var log = await LogWithAsync(0);
        using (var projector = Open(log, _dashboards.Path))
        {
            projector.RunOnce(log);
        }
        var first = JsonDocument.Parse(Caches()["first.json"]).RootElement;
        Assert.Equal(10, first.GetProperty("order").GetInt32());
        Assert.Equal("events to first/spend", first.GetProperty("sections").GetProperty("spend").GetProperty("from").GetString());
        Assert.Equal("events to first/alerts with action budget_* or events to any dashboard with priority high or above",
            first.GetProperty("sections").GetProperty("alerts").GetProperty("from").GetString());
        var second = JsonDocument.Parse(Caches()["second.json"]).RootElement;
        Assert.False(second.TryGetProperty("order", out _));
        Assert.Equal("events to any dashboard with action heartbeat", second.GetProperty("sections").GetProperty("beats").GetProperty("from").GetString());
    }

    [Fact]
    public async Task A_cache_in_an_older_format_is_written_again_at_once_without_a_rebuild()
    {
        await using var log = await LogWithAsync(50);
        using (var projector = Open(log))
        {
            CatchUp(projector, log);
        }
        var current = Caches();
        var path = Path.Combine(_data.Path, "caches", "costs.json");
        // As a projector before sections said what feeds them wrote it: no "from".
        File.WriteAllText(path, Regex.Replace(current["costs.json"], "\"from\":\"[^\"]*\",", ""));
        using (var projector = Open(log))
        {
            var cycle = projector.RunOnce(log);
            Assert.Equal((0L, 1), (cycle.Events, cycle.CachesWritten)); // nothing read again, costs written
            Assert.Equal(0, projector.RunOnce(log).CachesWritten);
        }
        Assert.Equal(WithoutGenerated(current), WithoutGenerated(Caches()));
    }

    [Fact]
    public async Task Two_clean_rebuilds_give_identical_bytes()
    {
        await using (var log = await LogWithAsync(3000))
        {
            using var projector = Open(log);
            CatchUp(projector, log);
        }
        var first = Caches();
        Directory.Delete(Path.Combine(_data.Path, "caches"), recursive: true);
        await using (var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, TimeProvider = _clock, Retention = null }))
        {
            using var projector = Open(log);
            CatchUp(projector, log);
        }
        Assert.Equal(first, Caches());
    }

    [Fact]
    public async Task Resuming_in_small_cycles_across_restarts_equals_one_clean_pass()
    {
        await using var log = await LogWithAsync(2000);
        for (var restart = 0; restart < 6; restart++)
        {
            using var projector = Open(log, maxCycle: 131);
            projector.RunOnce(log);
            projector.RunOnce(log);
            await log.AppendAsync(Enumerable.Range(2000 + (restart * 50), 50).Select(SampleTraffic.Make).ToList());
        }
        using (var projector = Open(log, maxCycle: 131))
        {
            CatchUp(projector, log);
        }
        var incremental = Caches();

        using var clean = new TempDirectory();
        CopyLog(_data.Path, clean.Path);
        await using var cleanLog = new FileEventLogReader(clean.Path);
        using (var projector = Open(cleanLog, data: clean.Path))
        {
            CatchUp(projector, cleanLog);
        }
        Assert.Equal(WithoutGenerated(Caches(clean.Path)), WithoutGenerated(incremental));
    }

    [Fact]
    public async Task An_idle_cycle_reads_and_writes_nothing()
    {
        await using var log = await LogWithAsync(100);
        using var projector = Open(log);
        projector.RunOnce(log);
        var idle = projector.RunOnce(log);
        Assert.Equal((0L, 0L, 0, 100L), (idle.Events, idle.Applied, idle.CachesWritten, idle.Position));
        await log.AppendAsync([SampleTraffic.Make(4)]); // a heartbeat: fleet and command-center change, nothing else
        var cycle = projector.RunOnce(log);
        Assert.Equal((1L, 1L, 2, 101L), (cycle.Events, cycle.Applied, cycle.CachesWritten, cycle.Position));
    }

    [Fact]
    public async Task A_changed_definition_rebuilds_only_its_dashboard_and_a_new_one_builds_from_the_log()
    {
        File.Copy(Path.Combine(SampleDashboards, "costs.yaml"), Path.Combine(_dashboards.Path, "costs.yaml"));
        File.Copy(Path.Combine(SampleDashboards, "fleet.yaml"), Path.Combine(_dashboards.Path, "fleet.yaml"));
        await using var log = await LogWithAsync(900);
        using (var projector = Open(log, _dashboards.Path))
        {
            projector.RunOnce(log);
        }
        var before = Caches();
        File.WriteAllText(Path.Combine(_dashboards.Path, "costs.yaml"), File.ReadAllText(Path.Combine(_dashboards.Path, "costs.yaml")).Replace("title: Costs", "title: Spend", StringComparison.Ordinal));
        File.Copy(Path.Combine(SampleDashboards, "velocity.yaml"), Path.Combine(_dashboards.Path, "velocity.yaml"));
        using (var projector = Open(log, _dashboards.Path))
        {
            var cycle = projector.RunOnce(log);
            Assert.Equal(900, cycle.Events); // replayed for the two being built
            Assert.Equal(2, cycle.CachesWritten);
        }
        var after = Caches();
        Assert.Equal(before["fleet.json"], after["fleet.json"]);
        Assert.Equal("Spend", JsonDocument.Parse(after["costs.json"]).RootElement.GetProperty("title").GetString());
        Assert.Equal(Section(before["costs.json"], "spend-total").GetProperty("value").GetDouble(), Section(after["costs.json"], "spend-total").GetProperty("value").GetDouble());
        Assert.Equal(100, Section(after["velocity.json"], "total").GetProperty("count").GetInt64()); // every task_completed so far
    }

    [Fact]
    public async Task A_removed_definition_leaves_its_cache_marked_orphaned()
    {
        File.Copy(Path.Combine(SampleDashboards, "costs.yaml"), Path.Combine(_dashboards.Path, "costs.yaml"));
        File.Copy(Path.Combine(SampleDashboards, "fleet.yaml"), Path.Combine(_dashboards.Path, "fleet.yaml"));
        await using var log = await LogWithAsync(50);
        using (var projector = Open(log, _dashboards.Path))
        {
            projector.RunOnce(log);
        }
        File.Delete(Path.Combine(_dashboards.Path, "fleet.yaml"));
        using (var projector = Open(log, _dashboards.Path))
        {
            projector.RunOnce(log);
        }
        var fleet = JsonDocument.Parse(Caches()["fleet.json"]).RootElement;
        Assert.True(fleet.GetProperty("orphaned").GetBoolean());
        Assert.True(fleet.GetProperty("sections").GetProperty("status").GetProperty("sources").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Rebuild_forgets_and_replays_the_named_dashboards()
    {
        await using var log = await LogWithAsync(500);
        using var projector = Open(log);
        CatchUp(projector, log);
        var before = Caches();
        Assert.Throws<ArgumentException>(() => projector.Reset(["no-such"]));
        projector.Reset(["costs"]);
        var cycle = projector.RunOnce(log);
        Assert.Equal((500L, 1), (cycle.Events, cycle.CachesWritten));
        Assert.Equal(WithoutGenerated(before), WithoutGenerated(Caches()));
    }

    [Fact]
    public async Task A_second_projector_on_the_same_caches_is_refused()
    {
        await using var log = await LogWithAsync(1);
        using var projector = Open(log);
        var error = Assert.Throws<LogLockedException>(() => Open(log));
        Assert.Contains("One projector writes them at a time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Continuous_mode_applies_appends_without_being_asked()
    {
        await using var log = await LogWithAsync(10);
        using var projector = Projector.Open(new ProjectorOptions { DataDirectory = _data.Path, DashboardsDirectory = SampleDashboards, FsyncCaches = false }, log);
        using var stop = new CancellationTokenSource();
        var running = projector.RunAsync(log, stop.Token);
        await log.AppendAsync([SampleTraffic.Make(8)]); // seq 11, a critical filing
        var cache = Path.Combine(_data.Path, "caches", "schell-ip.json");
        Assert.True(SpinWait.SpinUntil(
            () => File.Exists(cache) && JsonDocument.Parse(File.ReadAllText(cache)).RootElement.GetProperty("position").GetInt64() == 11,
            TimeSpan.FromSeconds(30)));
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Events_for_a_dashboard_without_a_definition_still_feed_wildcard_sections()
    {
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, TimeProvider = _clock });
        await log.AppendAsync([new Event { Dashboard = "side-project", Section = "ops", Action = "disk_full", Priority = Priority.Critical, Content = Event.ParseContent("""{"message":"disk 98% full"}""") }]);
        using (var projector = Open(log))
        {
            projector.RunOnce(log);
        }
        var critical = Section(Caches()["command-center.json"], "critical").GetProperty("items")[0];
        Assert.Equal("[side-project] disk_full: disk 98% full", critical.GetProperty("text").GetString());
        Assert.False(File.Exists(Path.Combine(_data.Path, "caches", "side-project.json")));
    }

    [Fact]
    public async Task A_cache_over_its_budget_is_written_and_warned_about_once()
    {
        await using var log = await LogWithAsync(300);
        var logger = new ListLogger();
        using var projector = Projector.Open(new ProjectorOptions
        {
            DataDirectory = _data.Path, DashboardsDirectory = SampleDashboards, TimeProvider = _clock, FsyncCaches = false,
            CacheBudgetBytes = 2048, Logger = logger,
        }, log);
        projector.RunOnce(log);
        await log.AppendAsync(Enumerable.Range(300, 300).Select(SampleTraffic.Make).ToList());
        projector.RunOnce(log);
        var warnings = logger.Messages.Where(m => m.Contains("over the budget of 2048", StringComparison.Ordinal)).ToList();
        Assert.Contains(warnings, m => m.StartsWith("Cache costs is ", StringComparison.Ordinal));
        Assert.All(warnings.GroupBy(w => w.Split(' ')[1]), perCache => Assert.Single(perCache)); // costs was written twice, warned once
        Assert.True(new FileInfo(Path.Combine(_data.Path, "caches", "costs.json")).Length > 2048);
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }

    internal static void CopyLog(string from, string to)
    {
        Directory.CreateDirectory(Path.Combine(to, "events"));
        foreach (var file in Directory.GetFiles(Path.Combine(from, "events"), "*.jsonl").Append(Path.Combine(from, "events", "format.json")))
        {
            File.Copy(file, Path.Combine(to, "events", Path.GetFileName(file)));
        }
    }

    /// <summary>Every cache with its wall-clock <c>generated</c> time blanked: the one field a replay does not reproduce.</summary>
    internal static Dictionary<string, string> WithoutGenerated(Dictionary<string, string> caches) =>
        caches.ToDictionary(c => c.Key, c => Generated().Replace(c.Value, "\"generated\":\"-\""));

    [GeneratedRegex("\"generated\":\"[^\"]*\"")]
    private static partial Regex Generated();
}
