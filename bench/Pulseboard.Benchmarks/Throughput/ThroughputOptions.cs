namespace Pulseboard.Benchmarks.Throughput;

/// <summary>The <c>throughput</c> mode's arguments.</summary>
internal sealed class ThroughputOptions
{
    public static readonly string[] Scenarios = ["append-latency", "log-none", "log-fsync", "seed-baseline", "replay", "projection", "projection-replay"];

    public const string Help = """
        usage: Pulseboard.Benchmarks throughput [options]
          --events N         events appended by log-none, then read by replay (default 2,000,000)
          --fsync-events N   events appended by log-fsync (default events / 4)
          --seed-events N    events written by seed-baseline (default 50,000)
          --calls N          timed Append calls in append-latency (default 1,000,000)
          --projection-events N  events projection-replay catches up on (default 1,000,000)
          --big-log N        events in the big log of projection-cycle-big and seed-cron-big (default 10,000,000)
          --only a,b         run only these: append-latency, log-none, log-fsync, seed-baseline, replay, projection,
                     projection-replay (only the projector's replay and idle cycles, with the parse floor)
                     (replay reads the log that log-none wrote, so it runs log-none too)
          --keep-caches DIR  copy the caches projection-replay wrote to DIR (to compare two builds' caches byte for byte)
          --temp DIR         where the fresh data folders go, deleted afterwards (default the system temp folder)
          --out FILE         also write the results as JSON
        """;

    public long Events { get; private set; } = 2_000_000;

    public long FsyncEvents { get; private set; } = -1;

    public long SeedEvents { get; private set; } = 50_000;

    public int Calls { get; private set; } = 1_000_000;

    public long ProjectionEvents { get; private set; } = 1_000_000;

    public long BigLog { get; private set; } = 10_000_000;

    public string TempRoot { get; private set; } = Path.GetTempPath();

    public string? OutFile { get; private set; }

    public string? KeepCaches { get; private set; }

    public HashSet<string> Selected { get; } = new(Scenarios, StringComparer.Ordinal);

    public bool Runs(string scenario) => Selected.Contains(scenario);

    /// <summary>Parses the arguments; null and a message when they are wrong (null message: help was asked for).</summary>
    public static ThroughputOptions? Parse(string[] args, out string? error)
    {
        var options = new ThroughputOptions();
        if (!Arguments.TryApply(args, options.Apply, out error))
        {
            return null;
        }
        if (options.FsyncEvents < 0)
        {
            options.FsyncEvents = Math.Max(1, options.Events / 4);
        }
        return options;
    }

    private string? Apply(string name, string value)
    {
        string? error = null;
        switch (name)
        {
            case "--events": Events = Arguments.Count(name, value, long.MaxValue, ref error); break;
            case "--fsync-events": FsyncEvents = Arguments.Count(name, value, long.MaxValue, ref error); break;
            case "--seed-events": SeedEvents = Arguments.Count(name, value, long.MaxValue, ref error); break;
            case "--calls": Calls = (int)Arguments.Count(name, value, 100_000_000, ref error); break;
            case "--projection-events": ProjectionEvents = Arguments.Count(name, value, int.MaxValue, ref error); break;
            case "--big-log": BigLog = Arguments.Count(name, value, int.MaxValue, ref error); break;
            case "--temp": TempRoot = value; break;
            case "--out": OutFile = value; break;
            case "--keep-caches": KeepCaches = value; break;
            case "--only": error = Arguments.SelectOnly(value, Scenarios, Selected); break;
            default: error = $"unknown option {name}."; break;
        }
        return error;
    }
}
