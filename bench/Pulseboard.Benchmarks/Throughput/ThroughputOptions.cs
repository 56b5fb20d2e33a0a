using System.Globalization;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>The <c>throughput</c> mode's arguments.</summary>
internal sealed class ThroughputOptions
{
    public static readonly string[] Scenarios = ["append-latency", "log-none", "log-fsync", "seed-baseline", "replay", "projection"];

    public const string Help = """
        usage: Pulseboard.Benchmarks throughput [options]
          --events N         events appended by log-none, then read by replay (default 2,000,000)
          --fsync-events N   events appended by log-fsync (default events / 4)
          --seed-events N    events written by seed-baseline (default 50,000)
          --calls N          timed Append calls in append-latency (default 1,000,000)
          --projection-events N  events projection-replay catches up on (default 1,000,000)
          --big-log N        events in the big log of projection-cycle-big and seed-cron-big (default 10,000,000)
          --only a,b         run only these: append-latency, log-none, log-fsync, seed-baseline, replay, projection
                     (replay reads the log that log-none wrote, so it runs log-none too)
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

    public HashSet<string> Selected { get; } = new(Scenarios, StringComparer.Ordinal);

    public bool Runs(string scenario) => Selected.Contains(scenario);

    /// <summary>Parses the arguments; null and a message when they are wrong.</summary>
    public static ThroughputOptions? Parse(string[] args, out string? error)
    {
        var options = new ThroughputOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                return null;
            }
            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                return null;
            }
            var value = args[++i];
            switch (name)
            {
                case "--events": options.Events = Count(name, value, ref error); break;
                case "--fsync-events": options.FsyncEvents = Count(name, value, ref error); break;
                case "--seed-events": options.SeedEvents = Count(name, value, ref error); break;
                case "--calls": options.Calls = (int)Math.Min(Count(name, value, ref error), 100_000_000); break;
                case "--projection-events": options.ProjectionEvents = Math.Min(Count(name, value, ref error), int.MaxValue); break;
                case "--big-log": options.BigLog = Math.Min(Count(name, value, ref error), int.MaxValue); break;
                case "--temp": options.TempRoot = value; break;
                case "--out": options.OutFile = value; break;
                case "--only": options.SelectOnly(value, ref error); break;
                default: error = $"unknown option {name}."; break;
            }
            if (error is not null)
            {
                return null;
            }
        }
        if (options.FsyncEvents < 0)
        {
            options.FsyncEvents = Math.Max(1, options.Events / 4);
        }
        return options;
    }

    private void SelectOnly(string value, ref string? error)
    {
        Selected.Clear();
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Scenarios.Contains(name))
            {
                error = $"--only: unknown scenario '{name}'; choose from {string.Join(", ", Scenarios)}.";
                return;
            }
            Selected.Add(name);
        }
    }

    private static long Count(string name, string value, ref string? error)
    {
        if (long.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            return n;
        }
        error = $"{name} must be a positive whole number, not '{value}'.";
        return 0;
    }
}
