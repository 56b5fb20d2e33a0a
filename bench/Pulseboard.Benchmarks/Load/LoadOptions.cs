namespace Pulseboard.Benchmarks.Load;

/// <summary>The <c>load</c> mode's arguments.</summary>
internal sealed class LoadOptions
{
    public static readonly string[] Scenarios = ["steady", "http-single", "http-batch", "sdk", "revalidate", "fanout", "browser", "seed"];

    public const string Help = """
        usage: Pulseboard.Benchmarks load [options]
          --url URL          drive this running server (default: start one on a fresh data folder and stop it after)
          --agents N         simulated agents in each scenario (default 16)
          --seconds N        how long each scenario runs (default 10; with --events, at most this long: 3,600)
          --events N         or: stop each appending scenario once about N events were acknowledged
          --warmup N         seconds of unrecorded single POSTs first, so the server has compiled its hot paths (default 3; 0 for none)
          --batch N          events per request in http-batch (default 1,000)
          --only a,b         run only these (default all, in this order):
                               steady       the agents POST single events at --rate a second in all
                               http-single  each agent POSTs one event at a time, as fast as answered
                               http-batch   each agent POSTs NDJSON batches of --batch events
                               sdk          each agent appends through its own PulseboardClient over HTTP
                               revalidate   each agent GETs the costs cache with its ETag (304s)
                               fanout       --clients streams on one dashboard, one update reaching them all
                               browser      Debian's Chromium: append-to-render, first render of a large cache
                               seed         the seed document's design in this process (open/write/close, a cron
                                            re-reading the whole file back to back): at --rate, then flat out
          --rate N           events a second, all agents together, in steady (default 1,000)
          --clients N        streams held by fanout (default 1,000)
          --browser-events N events timed in the page by browser (default 100)
          --durability D     none or fsync, for the server this starts (default none, the server's default)
          --token T          bearer token for --url servers that need one
          --json FILE        also write the report as JSON
        """;

    public Uri? Url { get; private set; }

    public int Agents { get; private set; } = 16;

    public double Seconds { get; private set; } = 10;

    public int Batch { get; private set; } = 1000;

    public int BrowserEvents { get; private set; } = 100;

    public int Clients { get; private set; } = 1000;

    public int Rate { get; private set; } = 1000;

    public int Warmup { get; private set; } = 3;

    public string Durability { get; private set; } = "none";

    public string? Token { get; private set; }

    public string? JsonFile { get; private set; }

    /// <summary>With <c>--events</c>: each appending scenario stops once about this many were acknowledged.</summary>
    public long? Events { get; private set; }

    private bool _secondsGiven;

    public HashSet<string> Selected { get; } = new(Scenarios, StringComparer.Ordinal);

    public bool Runs(string scenario) => Selected.Contains(scenario);

    /// <summary>Parses the arguments; null and a message when they are wrong (null message: help was asked for).</summary>
    public static LoadOptions? Parse(string[] args, out string? error)
    {
        var options = new LoadOptions();
        return Arguments.TryApply(args, options.Apply, out error) ? options : null;
    }

    private string? Apply(string name, string value)
    {
        string? error = null;
        switch (name)
        {
            case "--url": Url = Address(value, ref error); break;
            case "--agents": Agents = Count(name, value, 10_000, ref error); break;
            case "--seconds": Seconds = Count(name, value, 86_400, ref error); _secondsGiven = true; break;
            case "--events": Events = Arguments.Count(name, value, long.MaxValue, ref error); Seconds = _secondsGiven ? Seconds : 3600; break;
            case "--batch": Batch = Count(name, value, 10_000, ref error); break;
            case "--warmup" when value == "0": Warmup = 0; break;
            case "--warmup": Warmup = Count(name, value, 3600, ref error); break;
            case "--rate": Rate = Count(name, value, 10_000_000, ref error); break;
            case "--clients": Clients = Count(name, value, 100_000, ref error); break;
            case "--browser-events": BrowserEvents = Count(name, value, 100_000, ref error); break;
            case "--durability" when value is "none" or "fsync": Durability = value; break;
            case "--durability": error = $"--durability is none or fsync, not '{value}'."; break;
            case "--token": Token = value; break;
            case "--json": JsonFile = value; break;
            case "--only": error = Arguments.SelectOnly(value, Scenarios, Selected); break;
            default: error = $"unknown option {name}."; break;
        }
        return error;
    }

    private static Uri? Address(string value, ref string? error)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }
        error = $"--url must be an http:// or https:// address such as http://127.0.0.1:5080, not '{value}'.";
        return null;
    }

    private static int Count(string name, string value, int most, ref string? error) => (int)Arguments.Count(name, value, most, ref error);
}
