using System.Diagnostics;
using Pulseboard.Benchmarks.Throughput;

namespace Pulseboard.Benchmarks.Load;

/// <summary>
/// The seed document's design end to end, in this process on the same machine: N agents append by open, write one
/// line, close (<see cref="SeedAppender"/>) to one master file, while a cron re-reads the whole file, groups it by
/// dashboard and writes one cache file per dashboard (<see cref="SeedCronScenario.Cycle"/>). The seed runs its cron
/// every 30 to 60 seconds; here it runs back to back, which is generous to it: append-to-cache is then from just
/// before a probe's append until the end of the first cron cycle that began after the append returned.
/// </summary>
internal static class SeedDesignScenario
{
    /// <param name="name">The row's name.</param>
    /// <param name="agents">Agent threads.</param>
    /// <param name="seconds">How long the agents append.</param>
    /// <param name="dashboards">The dashboards the cron writes a file for.</param>
    /// <param name="rate">Events a second from all agents together (each paced by a timer); null for as fast as they can.</param>
    /// <param name="limit">Stop once the agents appended about this many events, if that comes before the time.</param>
    public static LoadResult Run(string name, int agents, double seconds, IReadOnlyList<string> dashboards, double? rate = null, long limit = long.MaxValue)
    {
        using var folder = TempDataFolder.Create(Path.GetTempPath(), "load-seed");
        var master = Path.Combine(folder.Path, "dashboard-events.json");
        File.WriteAllBytes(master, []);
        var output = Path.Combine(folder.Path, "caches");
        Directory.CreateDirectory(output);
        var result = new LoadResult(name, agents) { LatencyOf = "write" };
        var histograms = new LatencyHistogram[agents];
        var cycles = new List<(long Start, long End)>();
        var probes = new List<(long Started, long Written)>();
        long events = 0;
        var stopping = 0; // the probe stops
        var lastCycle = 0; // then the cron runs its last cycle

        var cron = new Thread(() =>
        {
            // One more cycle after the agents stop, so every probe's append is read by a cycle that began after it.
            for (var last = false; !last;)
            {
                last = Volatile.Read(ref lastCycle) == 1;
                var start = Stopwatch.GetTimestamp();
                SeedCronScenario.Cycle([master], output, dashboards);
                lock (cycles)
                {
                    cycles.Add((start, Stopwatch.GetTimestamp()));
                }
            }
        }) { Name = "seed cron" };
        var probe = new Thread(() =>
        {
            var appender = new SeedAppender(master);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            for (var n = 0; Volatile.Read(ref stopping) == 0 && timer.WaitForNextTickAsync().AsTask().GetAwaiter().GetResult(); n++)
            {
                var started = Stopwatch.GetTimestamp();
                appender.Append(Event.Create(CacheProbe.Dashboard, "alerts", "budget_warning", $$"""{"category":"probe-{{n}}","current":1,"limit":2}"""));
                probes.Add((started, Stopwatch.GetTimestamp()));
            }
        }) { Name = "seed probe" };
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var writers = Enumerable.Range(0, agents).Select(a => new Thread(() =>
        {
            var histogram = histograms[a] = new LatencyHistogram();
            var appender = new SeedAppender(master);
            using var pace = rate is { } r ? new PeriodicTimer(TimeSpan.FromSeconds(agents / r)) : null;
            for (var n = a; Stopwatch.GetTimestamp() < until && Interlocked.Read(ref events) < limit; n += agents)
            {
                pace?.WaitForNextTickAsync().AsTask().GetAwaiter().GetResult();
                var t0 = Stopwatch.GetTimestamp();
                appender.Append(AgentScenarios.Pool[n % AgentScenarios.Pool.Length]);
                histogram.RecordTicks(Stopwatch.GetTimestamp() - t0);
                Interlocked.Increment(ref events);
            }
        }) { Name = $"seed agent {a}" }).ToArray();

        var started = Stopwatch.GetTimestamp();
        using (new ProgressLine(name, seconds, () => (Interlocked.Read(ref events), 0L)))
        {
            cron.Start();
            probe.Start();
            foreach (var writer in writers)
            {
                writer.Start();
            }
            foreach (var writer in writers)
            {
                writer.Join();
            }
            result.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Volatile.Write(ref stopping, 1);
            probe.Join();
            Volatile.Write(ref lastCycle, 1);
            cron.Join();
        }

        foreach (var histogram in histograms)
        {
            result.Latency.Add(histogram);
        }
        result.Events = events;
        result.Requests = result.Latency.Count;
        foreach (var (probeStarted, written) in probes)
        {
            var read = cycles.First(c => c.Start >= written);
            result.Shown.RecordTicks(read.End - probeStarted);
        }
        var durations = cycles.Select(c => Latencies.ToMicroseconds(c.End - c.Start) / 1000).ToArray();
        return result
            .With("cron_cycles", cycles.Count)
            .With("cron_mean_ms", durations.Average())
            .With("cron_last_ms", durations[^1])
            .With("master_file_MB", new FileInfo(master).Length / 1e6);
    }
}
