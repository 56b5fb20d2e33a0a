using Pulseboard.Samples;
using System.Diagnostics;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Projection.Caches;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>
/// The projector over the nine sample dashboards (the repository's <c>dashboards/</c>), fed by
/// <see cref="SampleTraffic"/>: catching up from empty caches, idle cycles, cycles of 100 new events on a small and a
/// big log (with the seed document's re-read-everything cron beside each), and append-to-cache latency in
/// continuous mode.
/// </summary>
internal static class ProjectionScenario
{
    private const int IdleCycles = 10_000;
    private const int WarmPasses = 3;
    private const int Cycles = 50;
    private const int CycleEvents = 100;
    private const int SmallLog = 10_000;
    private const int LiveEvents = 2_000;
    private const int LiveWarmup = 50;

    public static async Task RunAsync(ThroughputOptions options, Action<ScenarioResult> done)
    {
        var dashboards = DashboardsFolder.Find();
        Console.WriteLine($"  projection: dashboards from {dashboards}");
        await ReplayAndIdleAsync(options, dashboards, done).ConfigureAwait(false);
        if (!options.Runs("projection"))
        {
            return; // --only projection-replay: the replay against its floor, and no more
        }
        await CyclesAsync(options, dashboards, "10k", SmallLog, seedCycles: 20, done).ConfigureAwait(false);
        await CyclesAsync(options, dashboards, "big", options.BigLog, seedCycles: 3, done).ConfigureAwait(false);
        await AppendToCacheAsync(options, dashboards, done).ConfigureAwait(false);
    }

    private static ProjectorOptions Options(string dataDirectory, string dashboards, Action<CycleResult>? onCycle = null) => new()
    {
        DataDirectory = dataDirectory,
        DashboardsDirectory = dashboards,
        FsyncCaches = true,
        OnCycle = onCycle,
    };

    /// <summary>projection-replay and projection-idle: one projector catching up on a log written beforehand, then idle.</summary>
    private static async Task ReplayAndIdleAsync(ThroughputOptions options, string dashboards, Action<ScenarioResult> done)
    {
        using var folder = TempDataFolder.Create(options.TempRoot, "projection-replay");
        var count = options.ProjectionEvents;
        Console.WriteLine($"  projection-replay: writing {count:N0} events (not timed)");
        var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = folder.Path, Retention = null });
        TimeSpan writing;
        await using (log.ConfigureAwait(false))
        {
            writing = await AppendTrafficAsync(log, 0, count, batchSize: 10_000).ConfigureAwait(false);
        }

        // Let the kernel write the fresh log out first, so the replay does not compete with its writeback.
        using (var sync = Process.Start("sync"))
        {
            await sync!.WaitForExitAsync().ConfigureAwait(false);
        }

        // The floor first, in the same cold process, then once before each warm pass (best of all):
        // the ratio below compares the projector with the least reading the same segments can cost.
        Console.WriteLine("  projection-floor: walking every token of the log with Utf8JsonReader");
        var floor = ParseFloor.Run(folder.Path);
        if (floor.Lines != count)
        {
            throw new InvalidOperationException($"projection-floor: read {floor.Lines} lines of {count}.");
        }

        var reader = new FileEventLogReader(folder.Path);
        await using (reader.ConfigureAwait(false))
        {
            Console.WriteLine($"  projection-replay: catching up ({writing.TotalSeconds:F1} s to write)");
            var opened = Stopwatch.GetTimestamp();
            using var projector = Projector.Open(Options(folder.Path, dashboards), reader);
            var openMs = Stopwatch.GetElapsedTime(opened).TotalMilliseconds;
            var cpu0 = CpuSeconds();
            var (events, written, cycles, elapsed) = CatchUp(projector, reader);
            var replayCpu = CpuSeconds() - cpu0;
            if (events != count)
            {
                throw new InvalidOperationException($"projection-replay: the projector read {events} events of {count}.");
            }
            if (options.KeepCaches is { } keep)
            {
                Directory.CreateDirectory(keep);
                foreach (var file in Directory.EnumerateFiles(CacheFiles.Directory(folder.Path), "*.json"))
                {
                    File.Copy(file, Path.Combine(keep, Path.GetFileName(file)), overwrite: true);
                }
            }
            // Where the time goes: the same records read alone, then read and parsed as the projector does.
            var (readSeconds, parseSeconds) = ReadBreakdown(reader);
            done(new ScenarioResult("projection-replay", events, elapsed.TotalSeconds)
                .With("dashboards", projector.Definitions.Dashboards.Count)
                .With("cycles", cycles)
                .With("caches_written", written)
                .With("cache_bytes", CacheBytes(folder.Path))
                .With("open_ms", openMs)
                .With("cpu_s", replayCpu)
                .With("read_only_s", readSeconds)
                .With("read+parse_s", parseSeconds)
                .With("write_s", writing.TotalSeconds));

            var ticks = new long[IdleCycles];
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < ticks.Length; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                var result = projector.RunOnce(reader);
                ticks[i] = Stopwatch.GetTimestamp() - t0;
                if (result.Events != 0 || result.CachesWritten != 0)
                {
                    throw new InvalidOperationException($"projection-idle: an idle cycle read {result.Events} events.");
                }
            }
            var idle = Stopwatch.GetElapsedTime(started);
            var mean = Latencies.ToMicroseconds(ticks.Sum()) / ticks.Length;
            var latency = Latencies.FromTicks(ticks);
            done(new ScenarioResult("projection-idle", 0, idle.TotalSeconds)
                .With("cycles", IdleCycles)
                .With("mean_us", mean)
                .With("p50_us", latency.P50)
                .With("p99_us", latency.P99)
                .With("max_us", latency.Max));

            // The pass above ran in a fresh process, with the JIT still compiling; these are what a long-running
            // server's projector sees. Each starts from empty caches in a folder of its own, reading the same log.
            // Warm passes take turns with passes of the floor, so that load from elsewhere on a shared machine hits both
            // alike; each figure is the best of its passes.
            double warm = double.MaxValue, warmCpu = double.MaxValue;
            var floorRuns = new List<(long Lines, long Tokens, double Seconds, double CpuSeconds)> { floor };
            for (var pass = 0; pass < WarmPasses; pass++)
            {
                floorRuns.Add(ParseFloor.Run(folder.Path));
                using var caches = TempDataFolder.Create(options.TempRoot, "projection-replay-warm");
                using var warmProjector = Projector.Open(Options(caches.Path, dashboards), reader);
                var passCpu = CpuSeconds();
                warm = Math.Min(warm, CatchUp(warmProjector, reader).Elapsed.TotalSeconds);
                warmCpu = Math.Min(warmCpu, CpuSeconds() - passCpu);
            }
            done(new ScenarioResult("projection-replay-warm", count, warm).With("cpu_s", warmCpu).With("best_of", WarmPasses));

            done(new ScenarioResult("projection-floor", floor.Lines, floorRuns.Min(r => r.Seconds))
                .With("cpu_s", floorRuns.Min(r => r.CpuSeconds))
                .With("tokens", floor.Tokens)
                .With("first_s", floor.Seconds)
                .With("best_of", floorRuns.Count));
        }
    }

    /// <summary>
    /// projection-cycle-{label} and seed-cron-{label}: a log of <paramref name="size"/> events, the seed's cron over
    /// it, then a projector caught up on it timed over cycles of 100 new events each.
    /// </summary>
    private static async Task CyclesAsync(ThroughputOptions options, string dashboards, string label, long size, int seedCycles, Action<ScenarioResult> done)
    {
        var name = $"projection-cycle-{label}";
        using var folder = TempDataFolder.Create(options.TempRoot, name);
        var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = folder.Path, Retention = null });
        await using (log.ConfigureAwait(false))
        {
            Console.WriteLine($"  {name}: writing {size:N0} events (not timed)");
            var writing = await AppendTrafficAsync(log, 0, size, batchSize: size >= 1_000_000 ? 20_000 : 1_000).ConfigureAwait(false);
            var logBytes = new DirectoryInfo(Path.Combine(folder.Path, "events")).EnumerateFiles("*.jsonl").Sum(f => f.Length);
            Console.WriteLine($"  {name}: {size:N0} events, {logBytes / 1e6:N0} MB written in {writing.TotalSeconds:F1} s");

            Console.WriteLine($"  seed-cron-{label}: re-reading the whole log per cycle");
            var seed = SeedCronScenario.Run($"seed-cron-{label}", folder.Path, DashboardIds(dashboards), seedCycles, maxSeconds: 120);

            Console.WriteLine($"  {name}: catching up (not timed)");
            using var projector = Projector.Open(Options(folder.Path, dashboards), log);
            var catchUp = CatchUp(projector, log);

            var cycleTicks = new long[Cycles];
            var appendTicks = new long[Cycles];
            var next = size;
            for (var k = 0; k < Cycles; k++)
            {
                var batch = SampleTraffic.Batch(next, CycleEvents);
                next += CycleEvents;
                var a0 = Stopwatch.GetTimestamp();
                await log.AppendAsync(batch).ConfigureAwait(false);
                var t0 = Stopwatch.GetTimestamp();
                var result = projector.RunOnce(log);
                cycleTicks[k] = Stopwatch.GetTimestamp() - t0;
                appendTicks[k] = t0 - a0;
                if (result.Events != CycleEvents || result.Position != next)
                {
                    throw new InvalidOperationException($"{name}: a cycle read {result.Events} events up to {result.Position}, expected {CycleEvents} up to {next}.");
                }
            }
            var seconds = Latencies.ToMicroseconds(cycleTicks.Sum()) / 1e6;
            var latency = Latencies.FromTicks(cycleTicks);
            done(new ScenarioResult(name, (long)Cycles * CycleEvents, seconds)
                .With("log_events", size)
                .With("cycles", Cycles)
                .With("mean_ms", seconds * 1000 / Cycles)
                .With("p99_ms", latency.P99 / 1000)
                .With("p50_ms", latency.P50 / 1000)
                .With("append_ms", Latencies.ToMicroseconds(appendTicks.Sum()) / 1000 / Cycles)
                .With("log_MB", logBytes / 1e6)
                .With("write_s", writing.TotalSeconds)
                .With("catchup_s", catchUp.Elapsed.TotalSeconds));
            done(seed);
        }
        Console.WriteLine($"  {name}: data folder deleted");
    }

    /// <summary>append-to-cache: single appends at about 200/s while the projector runs continuously.</summary>
    private static async Task AppendToCacheAsync(ThroughputOptions options, string dashboards, Action<ScenarioResult> done)
    {
        using var folder = TempDataFolder.Create(options.TempRoot, "append-to-cache");
        var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = folder.Path, Durability = Durability.None, Retention = null });
        await using (log.ConfigureAwait(false))
        {
            var gate = new Lock();
            var cycles = new List<(long Ticks, long Position)>();
            void OnCycle(CycleResult result)
            {
                var now = Stopwatch.GetTimestamp();
                lock (gate)
                {
                    cycles.Add((now, result.Position));
                }
            }
            long Projected()
            {
                lock (gate)
                {
                    return cycles.Count == 0 ? 0 : cycles[^1].Position;
                }
            }

            using var projector = Projector.Open(Options(folder.Path, dashboards, OnCycle), log);
            using var stop = new CancellationTokenSource();
            var running = Task.Run(() => projector.RunAsync(log, stop.Token));
            Console.WriteLine($"  append-to-cache: {LiveWarmup + LiveEvents:N0} single appends, about 200/s");

            var sent = new (long Seq, long Ticks)[LiveWarmup + LiveEvents];
            var started = Stopwatch.GetTimestamp();
            var paced = started;
            for (var i = 0; i < sent.Length; i++)
            {
                if (i == LiveWarmup)
                {
                    started = Stopwatch.GetTimestamp();
                }
                Event[] one = [SampleTraffic.Make(i)];
                var t0 = Stopwatch.GetTimestamp();
                var outcomes = await log.AppendAsync(one).ConfigureAwait(false);
                sent[i] = (outcomes[0].Position, t0);
                // Paced to one append per 5 ms from the start (about 200/s), not 5 ms after each: timer slack does not add up.
                var wait = TimeSpan.FromMilliseconds(5 * (i + 1)) - Stopwatch.GetElapsedTime(paced);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait).ConfigureAwait(false);
                }
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            var last = sent[^1].Seq;
            var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
            while (Projected() < last && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await running.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // cancelled in the middle of a cycle: expected
            }
            if (Projected() < last)
            {
                throw new InvalidOperationException($"append-to-cache: the caches reached {Projected()}, not {last}.");
            }

            var latencies = new long[LiveEvents];
            var c = 0;
            var firstCycle = -1;
            for (var i = LiveWarmup; i < sent.Length; i++)
            {
                while (cycles[c].Position < sent[i].Seq)
                {
                    c++;
                }
                firstCycle = firstCycle < 0 ? c : firstCycle;
                latencies[i - LiveWarmup] = cycles[c].Ticks - sent[i].Ticks;
            }
            var latency = Latencies.FromTicks(latencies);
            done(new ScenarioResult("append-to-cache", LiveEvents, elapsed.TotalSeconds)
                .With("p50_ms", latency.P50 / 1000)
                .With("p99_ms", latency.P99 / 1000)
                .With("max_ms", latency.Max / 1000)
                .With("cycles", c - firstCycle + 1)
                .With("per_s", LiveEvents / elapsed.TotalSeconds)
                .With("warmup_events", LiveWarmup));
        }
    }

    /// <summary>
    /// CPU time of the whole process (every thread: the projector's, the GC's, the JIT's): on a machine shared with
    /// other work it moves less than the wall clock, so the floor and the projector compare on both.
    /// </summary>
    internal static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Runs cycles until the projector has processed the whole log.</summary>
    private static (long Events, int Written, int Cycles, TimeSpan Elapsed) CatchUp(Projector projector, IEventLogReader log)
    {
        long events = 0;
        int written = 0, cycles = 0;
        var started = Stopwatch.GetTimestamp();
        CycleResult result;
        do
        {
            result = projector.RunOnce(log);
            events += result.Events;
            written += result.CachesWritten;
            cycles++;
        }
        while (result.Position < log.End);
        return (events, written, cycles, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Seconds to read every record of the log alone, then reading each as the projector does (<c>ProjectedEvent.Read</c>).</summary>
    private static (double Read, double ReadAndParse) ReadBreakdown(IEventLogReader log)
    {
        var records = new List<LogRecord>(4096);
        var names = new ProjectionNames(); // as the projector reads: names interned, the content indexed
        double Pass(bool parse)
        {
            long check = 0;
            var started = Stopwatch.GetTimestamp();
            using var cursor = log.OpenCursor(1);
            while (cursor.Read(records, 4096) > 0)
            {
                foreach (var record in records)
                {
                    check += parse ? ProjectedEvent.Read(record, names).Seq : record.Line.Length;
                }
                records.Clear();
            }
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return check == 0 ? double.NaN : seconds;
        }
        return (Pass(parse: false), Pass(parse: true));
    }

    /// <summary>Appends <see cref="SampleTraffic"/> events in batches, making the next batch while the log writes this one.</summary>
    private static async Task<TimeSpan> AppendTrafficAsync(FileEventLog log, long first, long count, int batchSize)
    {
        static Task<Event[]> Make(long from, long left, int size) => Task.Run(() => SampleTraffic.Batch(from, (int)Math.Min(size, left)));

        var started = Stopwatch.GetTimestamp();
        long written = 0;
        var next = Make(first, count, batchSize);
        while (written < count)
        {
            var batch = await next.ConfigureAwait(false);
            written += batch.Length;
            if (written < count)
            {
                next = Make(first + written, count - written, batchSize);
            }
            foreach (var outcome in await log.AppendAsync(batch).ConfigureAwait(false))
            {
                if (!outcome.Stored)
                {
                    throw new InvalidOperationException($"the log rejected a sample event: {outcome.Error}");
                }
            }
        }
        return Stopwatch.GetElapsedTime(started);
    }

    private static long CacheBytes(string dataDirectory) =>
        new DirectoryInfo(CacheFiles.Directory(dataDirectory)).EnumerateFiles("*.json")
            .Where(f => f.Name != "_projector.json")
            .Sum(f => f.Length);

    private static string[] DashboardIds(string dashboards) =>
        Directory.EnumerateFiles(dashboards, "*.yaml").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToArray();
}

/// <summary>The repository's <c>dashboards/</c> folder: under the current directory, or beside <c>Pulseboard.slnx</c> above the program.</summary>
internal static class DashboardsFolder
{
    public static string Find()
    {
        var here = Path.Combine(Directory.GetCurrentDirectory(), "dashboards");
        if (Directory.Exists(here) && Directory.EnumerateFiles(here, "*.yaml").Any())
        {
            return here;
        }
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pulseboard.slnx")))
            {
                return Path.Combine(directory.FullName, "dashboards");
            }
        }
        throw new DirectoryNotFoundException($"No dashboards/ folder under {Directory.GetCurrentDirectory()}, nor a Pulseboard.slnx above {AppContext.BaseDirectory}.");
    }
}
