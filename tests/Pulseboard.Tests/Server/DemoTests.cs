using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;
using Pulseboard.Server;
using Pulseboard.Server.Demo;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

public sealed partial class DemoTests
{
    [Fact]
    public async Task Demo_writes_the_sample_dashboards_and_its_agents_fill_them()
    {
        using var data = new TempDirectory();
        using var dashboards = new TempDirectory();
        await using var app = PulseboardServer.Build(new ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = data.Path, DashboardsDirectory = dashboards.Path, Demo = true,
        }, logging => logging.ClearProviders());
        Assert.Equal(
            Directory.GetFiles(Path.Combine(Repo.Root, "dashboards"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Directory.GetFiles(dashboards.Path, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(PulseboardServer.Addresses(app)[0]) };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        JsonElement spend;
        do
        {
            await Task.Yield();
            var response = await http.GetAsync("/api/dashboards/costs", bound.Token);
            spend = response.IsSuccessStatusCode
                ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(bound.Token)).RootElement.GetProperty("sections").GetProperty("spend")
                : default;
        }
        while (spend.ValueKind == JsonValueKind.Undefined || spend.GetProperty("points").GetArrayLength() < 24);
        await app.StopAsync();
    }

    [Fact]
    public async Task Within_20_seconds_every_section_of_every_sample_dashboard_has_events_and_every_chart_a_line()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 14, 0, 0, TimeSpan.Zero));
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data.Path, TimeProvider = clock, Retention = null });

        await RunDemoAsync(log, clock, TimeSpan.FromSeconds(20));
        using (var projector = Projector.Open(new ProjectorOptions
        {
            DataDirectory = data.Path,
            DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
            TimeProvider = clock,
            FsyncCaches = false,
        }, log))
        {
            while (projector.RunOnce(log).Position < log.End)
            {
            }
        }

        var caches = CacheFolder.Read(data.Path);
        List<string> silent = [], flat = [];
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "dashboards"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var id = Path.GetFileNameWithoutExtension(file);
            if (!caches.TryGetValue($"{id}.json", out var cache))
            {
                silent.Add($"{id} (no cache)");
                continue;
            }
            foreach (var section in JsonDocument.Parse(cache).RootElement.GetProperty("sections").EnumerateObject())
            {
                if (section.Value.GetProperty("updated").ValueKind == JsonValueKind.Null)
                {
                    silent.Add($"{id}/{section.Name}");
                }
                if (section.Value.GetProperty("kind").GetString() == "timeseries" && section.Value.GetProperty("points").GetArrayLength() < 2)
                {
                    flat.Add($"{id}/{section.Name}");
                }
            }
        }
        Assert.Empty(silent.Concat(flat.Select(s => $"{s} (fewer than two points)")));
    }

    [Fact]
    public async Task Every_event_has_what_the_sections_taking_it_read()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 14, 0, 0, TimeSpan.Zero));
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data.Path, TimeProvider = clock, Retention = null });
        await RunDemoAsync(log, clock, TimeSpan.FromSeconds(20));
        var sections = DefinitionLoader.LoadDirectory(Path.Combine(Repo.Root, "dashboards")).Dashboards
            .SelectMany(d => d.Sections.Select(s => (Name: $"{d.Id}/{s.Id}", Plan: s, Reads: Reads(s))))
            .ToList();

        var gaps = new SortedSet<string>(StringComparer.Ordinal);
        using var cursor = log.OpenCursor(log.Start);
        var records = new List<LogRecord>();
        while (cursor.Read(records, 1_000) > 0)
        {
            foreach (var e in records.Select(ProjectedEvent.Read))
            {
                foreach (var (name, plan, reads) in sections.Where(s => s.Plan.Takes(e) && !Removes(s.Plan, e.Action)))
                {
                    // A run of adjacent paths ("{content.message}{content.category}") needs one of them.
                    foreach (var run in reads.Where(run => !run.Any(path => path.Read(e).Exists)))
                    {
                        gaps.Add($"{name} reads {string.Join(" or ", run)} but {e.Dashboard}/{e.Section} {e.Action} lacks it");
                    }
                }
            }
            records.Clear();
        }
        Assert.Empty(gaps);
    }

    /// <summary>The paths a section reads from an event, as runs of alternatives.</summary>
    private static List<List<ValuePath>> Reads(SectionPlan plan)
    {
        var runs = new List<List<ValuePath>>();
        void Path(ValuePath? path)
        {
            if (path is not null)
            {
                runs.Add([path]);
            }
        }
        void Text(Template? template)
        {
            foreach (Match run in AdjacentPaths().Matches(template?.Text.Replace("{{", "", StringComparison.Ordinal) ?? ""))
            {
                runs.Add([.. run.Groups[1].Captures.Select(c => ValuePath.TryParse(c.Value.Trim(), out _)!)]);
            }
        }
        switch (plan)
        {
            case StatSection stat:
                Text(stat.Text);
                break;
            case CounterSection counter:
                Path(counter.Value);
                break;
            case FeedSection feed:
                Path(feed.Key);
                Text(feed.Text);
                break;
            case TableSection table:
                Path(table.Key);
                table.Columns.Select(column => column.Path).ToList().ForEach(Path);
                break;
            case TimeseriesSection series:
                Path(series.Value);
                break;
            case DailySection daily:
                Path(daily.Value);
                break;
            case HeartbeatSection heartbeat:
                Path(heartbeat.Key);
                Text(heartbeat.Text);
                break;
        }
        return runs;
    }

    private static bool Removes(SectionPlan plan, string action) => plan switch
    {
        FeedSection feed => feed.RemoveOn.Contains(action),
        TableSection table => table.RemoveOn.Contains(action),
        _ => false,
    };

    [GeneratedRegex(@"(?:\{([^{}]+)\})+")]
    private static partial Regex AdjacentPaths();

    /// <summary>
    /// Runs the demo's agents on fake time for <paramref name="duration"/>: the history, then one tick at a time, each
    /// awaited in the log before the clock moves on (a timer advanced twice before its wait would fire once).
    /// </summary>
    internal static async Task RunDemoAsync(FileEventLog log, FakeTimeProvider clock, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource();
        var agents = new DemoAgents(log, clock);
        var run = agents.RunAsync(stop.Token); // its timer exists once this returns
        await ProgressAsync(log, 0, run);
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += DemoAgents.Period)
        {
            var end = log.End;
            clock.Advance(DemoAgents.Period);
            await ProgressAsync(log, end, run); // every tick appends something, so this always ends
        }
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    /// <summary>Waits until the log is past <paramref name="end"/>, or surfaces the agents' failure when they stop instead.</summary>
    private static async Task ProgressAsync(FileEventLog log, long end, Task run)
    {
        var appended = log.WaitForAsync(end, CancellationToken.None).AsTask();
        if (await Task.WhenAny(appended, run) == run)
        {
            await run;
            Assert.Fail("The demo's agents stopped by themselves.");
        }
    }
}
