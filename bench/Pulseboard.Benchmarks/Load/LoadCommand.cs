using Pulseboard.Benchmarks.Throughput;

namespace Pulseboard.Benchmarks.Load;

/// <summary>
/// The <c>load</c> mode: simulated agents against a server over HTTP and the SDK, the read side, a real browser, and
/// the seed document's design on the same machine in the same run; one report as a table and as JSON.
/// </summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = LoadOptions.Parse(args, out var error);
        if (options is null)
        {
            (error is null ? Console.Out : Console.Error).WriteLine(error is null ? LoadOptions.Help : $"{error}\n\n{LoadOptions.Help}");
            return error is null ? 0 : 2;
        }
        var machine = MachineInfo.Describe(Path.GetTempPath());
        foreach (var (key, value) in machine)
        {
            Console.WriteLine($"{key,-13} {value}");
        }

        var results = new List<LoadResult>();
        var checks = new List<string>();
        ServerFigures? figures;
        try
        {
            figures = options.Selected.Any(s => s != "seed") ? await RunServerScenariosAsync(options, results, checks).ConfigureAwait(false) : null;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException)
        {
            Console.Error.WriteLine($"load: lost the server: {e.Message}");
            return 1;
        }
        if (options.Runs("seed"))
        {
            // The seed's design at the steady scenario's rate, then as fast as its agents can append.
            var dashboards = Directory.EnumerateFiles(DashboardsFolder.Find(), "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToArray();
            var limit = options.Events ?? long.MaxValue;
            results.Add(SeedDesignScenario.Run("seed-steady", options.Agents, options.Seconds, dashboards, options.Rate, limit));
            results.Add(SeedDesignScenario.Run("seed", options.Agents, options.Seconds, dashboards, limit: limit));
        }

        var ratios = LoadReport.Ratios(results);
        Console.WriteLine();
        LoadReport.PrintTable(Console.Out, results, ratios);
        foreach (var check in checks)
        {
            Console.WriteLine(check);
        }
        if (figures?.Process is { } process)
        {
            Console.WriteLine($"server: peak resident memory {process.PeakMb:F0} MB, {process.CpuSeconds:F1} s of CPU, log end seq {figures.LogEnd:N0}");
        }
        if (options.JsonFile is { } path)
        {
            LoadReport.WriteJson(path, machine, options, figures, results, ratios, checks);
            Console.WriteLine($"wrote {path}");
        }
        var failed = results.Where(r => r.Errors > 0).Select(r => r.Name).ToList();
        if (failed.Count > 0 || checks.Any(c => !c.StartsWith("check ok", StringComparison.Ordinal)))
        {
            Console.Error.WriteLine($"load: errors in {(failed.Count > 0 ? string.Join(", ", failed) : "the checks")}: see above.");
            return 1;
        }
        return 0;
    }

    /// <summary>Every selected scenario but the seed's, against one server; what that server did in all when this started it.</summary>
    private static async Task<ServerFigures?> RunServerScenariosAsync(LoadOptions options, List<LoadResult> results, List<string> checks)
    {
        await using var server = await LoadServer.StartAsync(options).ConfigureAwait(false);
        Console.WriteLine($"{"server",-13} {server.Url} ({(server.Owned ? $"started by this run, durability {options.Durability}" : "given")})");
        Console.WriteLine();
        if (options.Warmup > 0)
        {
            // A fresh server compiles its hot paths on first use: a short unrecorded run keeps that out of the figures.
            await AgentScenarios.HttpAsync(server, options, "warm-up", options.Agents, batch: 1, seconds: options.Warmup).ConfigureAwait(false);
        }
        foreach (var scenario in options.Selected.Where(s => s != "seed").OrderBy(s => Array.IndexOf(LoadOptions.Scenarios, s)))
        {
            var before = await server.MetricAsync("pulseboard_log_end_seq").ConfigureAwait(false);
            var result = await RunAsync(scenario, server, options).ConfigureAwait(false);
            results.Add(result);
            if (scenario is "steady" or "http-single" or "http-batch" or "sdk")
            {
                checks.Add(await CheckStoredAsync(server, result, before).ConfigureAwait(false));
            }
        }
        return server.Owned ? new(await server.MetricAsync("pulseboard_log_end_seq").ConfigureAwait(false), server.ProcessFigures()) : null;
    }

    private static async Task<LoadResult> RunAsync(string scenario, LoadServer server, LoadOptions options) => scenario switch
    {
        "steady" => await AgentScenarios.HttpAsync(server, options, scenario, options.Agents, batch: 1, options.Rate).ConfigureAwait(false),
        "http-single" => await AgentScenarios.HttpAsync(server, options, scenario, options.Agents, batch: 1).ConfigureAwait(false),
        "http-batch" => await AgentScenarios.HttpAsync(server, options, scenario, Math.Min(options.Agents, 8), options.Batch).ConfigureAwait(false),
        "sdk" => await AgentScenarios.SdkAsync(server, options).ConfigureAwait(false),
        "revalidate" => await ReaderScenarios.RevalidateAsync(server, options).ConfigureAwait(false),
        "fanout" => await ReaderScenarios.FanOutAsync(server, options.Clients).ConfigureAwait(false),
        "browser" => await ReaderScenarios.BrowserAsync(server, options.BrowserEvents).ConfigureAwait(false),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "not a server scenario"),
    };

    /// <summary>
    /// The log grew by exactly what the server acknowledged to the agents and the probe: nothing lost, nothing counted
    /// that was not stored. Holds when nothing else writes to the server during the run.
    /// </summary>
    private static async Task<string> CheckStoredAsync(LoadServer server, LoadResult result, double? before)
    {
        var after = await server.MetricAsync("pulseboard_log_end_seq").ConfigureAwait(false);
        var grew = (long)((after ?? 0) - (before ?? 0));
        var acknowledged = result.Events + result.ProbeEvents;
        result.With("log_grew_by", grew).With("acknowledged", acknowledged);
        return grew == acknowledged
            ? $"check ok: {result.Name}: the log grew by {grew:N0} events, exactly what was acknowledged ({result.Events:N0} to the agents, {result.ProbeEvents:N0} to the probe)"
            : $"check FAILED: {result.Name}: the log grew by {grew:N0} events but {acknowledged:N0} were acknowledged ({result.Events:N0} to the agents, {result.ProbeEvents:N0} to the probe){(server.Owned ? "" : "; did something else write to the server?")}";
    }
}

/// <summary>What this run's own server did in all: the log's end, and its peak memory and CPU time.</summary>
internal sealed record ServerFigures(double? LogEnd, (double PeakMb, double CpuSeconds)? Process);
