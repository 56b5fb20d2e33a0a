using System.Diagnostics;
using System.Text.Json;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>
/// The seed document's cron design as a baseline for the projector: every cycle re-reads the whole log (each
/// <c>*.jsonl</c> segment under <c>events/</c>), parses every line with <see cref="JsonDocument"/>, groups the events by
/// their <c>dashboard</c> field (a count and the last 50 of each), and writes one JSON cache file per dashboard.
/// </summary>
/// <remarks>
/// Simpler than the projector, so generous to the baseline: no section kinds, no text templates, and the two
/// dashboards that gather from every other one (command-center, velocity) get an empty file.
/// </remarks>
internal static class SeedCronScenario
{
    private const int Keep = 50;

    public static ScenarioResult Run(string name, string dataDirectory, IReadOnlyList<string> dashboards, int maxCycles, double maxSeconds)
    {
        var output = Path.Combine(dataDirectory, "seed-cron");
        Directory.CreateDirectory(output);
        var ticks = new List<long>();
        long events = 0, lines = 0;
        var started = Stopwatch.GetTimestamp();
        while (ticks.Count < maxCycles && (ticks.Count == 0 || Stopwatch.GetElapsedTime(started).TotalSeconds < maxSeconds))
        {
            var t0 = Stopwatch.GetTimestamp();
            lines = Cycle(Directory.EnumerateFiles(Path.Combine(dataDirectory, "events"), "*.jsonl").Order(StringComparer.Ordinal), output, dashboards);
            ticks.Add(Stopwatch.GetTimestamp() - t0);
            events += lines;
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var mean = Latencies.ToMicroseconds(ticks.Sum()) / 1000 / ticks.Count;
        var latency = Latencies.FromTicks(ticks.ToArray());
        return new ScenarioResult(name, events, seconds)
            .With("log_events", lines)
            .With("cycles", ticks.Count)
            .With("mean_ms", mean)
            .With("max_ms", latency.Max / 1000);
    }

    /// <summary>One cron run: every file read and parsed whole, one file per dashboard written. Returns the lines read.</summary>
    public static long Cycle(IEnumerable<string> files, string output, IReadOnlyList<string> dashboards)
    {
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        long lines = 0;
        foreach (var file in files)
        {
            // Shared for writing: in the seed's design agents append to the file while the cron reads it.
            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16));
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0 || line[^1] != '}')
                {
                    continue; // empty, or a line an agent is still writing: the next cycle reads it whole
                }
                string dashboard;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    dashboard = document.RootElement.TryGetProperty("dashboard", out var d) ? d.GetString() ?? "" : "";
                }
                catch (JsonException)
                {
                    continue; // the same, cut where a '}' happened to be
                }
                if (!groups.TryGetValue(dashboard, out var group))
                {
                    groups[dashboard] = group = new Group();
                }
                group.Count++;
                group.Last.Enqueue(line);
                if (group.Last.Count > Keep)
                {
                    group.Last.Dequeue();
                }
                lines++;
            }
        }
        foreach (var id in dashboards)
        {
            var group = groups.GetValueOrDefault(id) ?? new Group();
            using var stream = File.Create(Path.Combine(output, id + ".json"));
            using var json = new Utf8JsonWriter(stream);
            json.WriteStartObject();
            json.WriteString("dashboard", id);
            json.WriteNumber("count", group.Count);
            json.WriteStartArray("events");
            foreach (var line in group.Last)
            {
                json.WriteRawValue(line, skipInputValidation: true);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return lines;
    }

    private sealed class Group
    {
        public long Count { get; set; }

        public Queue<string> Last { get; } = new(Keep + 1);
    }
}
