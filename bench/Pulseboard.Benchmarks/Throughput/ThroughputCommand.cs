using Pulseboard.Log;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>The <c>throughput</c> mode: each scenario in a fresh data folder, then one table and optionally JSON.</summary>
internal static class ThroughputCommand
{
    private const int PoolSize = 4096; // a power of two: append-latency picks events with a mask

    public static async Task<int> RunAsync(string[] args)
    {
        var options = ThroughputOptions.Parse(args, out var error);
        if (options is null)
        {
            (error is null ? Console.Out : Console.Error).WriteLine(error is null ? ThroughputOptions.Help : $"{error}\n\n{ThroughputOptions.Help}");
            return error is null ? 0 : 2;
        }
        var machine = MachineInfo.Describe(options.TempRoot);
        foreach (var (key, value) in machine)
        {
            Console.WriteLine($"{key,-13} {value}");
        }
        var pool = SampleEvents.CreateMany(PoolSize);
        var eventBytes = SampleEvents.MeanBytes(pool);
        Console.WriteLine($"{"event",-13} {eventBytes:F0} bytes of JSON on average, {PoolSize} distinct");
        Console.WriteLine();

        var results = new List<ScenarioResult>();
        void Done(ScenarioResult result)
        {
            results.Add(result);
            Console.WriteLine($"  {result.Name}: {result.EventsPerSecond:N0} events/s");
        }

        if (options.Runs("append-latency"))
        {
            Done(await AppendLatencyScenario.RunAsync(options, pool).ConfigureAwait(false));
        }
        if (options.Runs("log-none") || options.Runs("replay"))
        {
            using var folder = TempDataFolder.Create(options.TempRoot, "log-none");
            Done(await LogAppendScenario.RunAsync("log-none", folder.Path, Durability.None, options.Events, appenders: 4, batchSize: 1000, pool).ConfigureAwait(false));
            if (options.Runs("replay"))
            {
                foreach (var result in await ReplayScenario.RunAsync(folder.Path).ConfigureAwait(false))
                {
                    Done(result);
                }
            }
        }
        if (options.Runs("log-fsync"))
        {
            using var folder = TempDataFolder.Create(options.TempRoot, "log-fsync");
            Done(await LogAppendScenario.RunAsync("log-fsync", folder.Path, Durability.Fsync, options.FsyncEvents, appenders: 8, batchSize: 64, pool).ConfigureAwait(false));
        }
        if (options.Runs("log-fsync"))
        {
            // Group commit gains with the number of appends waiting: the same batches from four times as many appenders.
            using var folder = TempDataFolder.Create(options.TempRoot, "log-fsync-32");
            Done(await LogAppendScenario.RunAsync("log-fsync-32", folder.Path, Durability.Fsync, options.FsyncEvents, appenders: 32, batchSize: 64, pool).ConfigureAwait(false));
        }
        if (options.Runs("seed-baseline"))
        {
            Done(SeedBaselineScenario.Run(options, pool));
        }
        if (options.Runs("projection") || options.Runs("projection-replay"))
        {
            await ProjectionScenario.RunAsync(options, Done).ConfigureAwait(false);
        }

        var ratios = Ratios(results);
        Console.WriteLine();
        ResultWriter.PrintTable(Console.Out, results, ratios);
        if (options.OutFile is { } path)
        {
            ResultWriter.WriteJson(path, machine, options, eventBytes, results, ratios);
            Console.WriteLine($"\nwrote {path}");
        }
        return 0;
    }

    private static List<KeyValuePair<string, double>> Ratios(List<ScenarioResult> results)
    {
        var ratios = new List<KeyValuePair<string, double>>();
        var seed = results.Find(r => r.Name == "seed-baseline");
        foreach (var name in new[] { "log-none", "log-fsync", "log-fsync-32" })
        {
            if (seed is { EventsPerSecond: > 0 } && results.Find(r => r.Name == name) is { } log)
            {
                ratios.Add(new($"{name}/seed-baseline", log.EventsPerSecond / seed.EventsPerSecond));
            }
        }
        foreach (var size in new[] { "10k", "big" })
        {
            if (results.Find(r => r.Name == $"seed-cron-{size}") is { } cron && results.Find(r => r.Name == $"projection-cycle-{size}") is { } cycle
                && Metric(cron, "mean_ms") is { } cronMs && Metric(cycle, "mean_ms") is { } cycleMs and > 0)
            {
                ratios.Add(new($"seed-cron-{size}/projection-cycle-{size} (ms per cycle)", cronMs / cycleMs));
            }
        }
        // Issue 11: the projector's replay over the parse floor measured in the same run (aim: at most 1.5x).
        if (results.Find(r => r.Name == "projection-floor") is { Seconds: > 0 } floor)
        {
            foreach (var name in new[] { "projection-replay", "projection-replay-warm" })
            {
                if (results.Find(r => r.Name == name) is { } replay)
                {
                    ratios.Add(new($"{name}/projection-floor (seconds; aim 1.5x)", replay.Seconds / floor.Seconds));
                    if (Metric(replay, "cpu_s") is { } cpu && Metric(floor, "cpu_s") is { } floorCpu and > 0)
                    {
                        ratios.Add(new($"{name}/projection-floor (CPU seconds)", cpu / floorCpu));
                    }
                }
            }
        }
        return ratios;
    }

    private static double? Metric(ScenarioResult result, string name) =>
        result.Metrics.FindIndex(m => m.Key == name) is var i and >= 0 ? result.Metrics[i].Value : null;
}
