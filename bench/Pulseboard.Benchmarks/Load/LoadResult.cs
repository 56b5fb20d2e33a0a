namespace Pulseboard.Benchmarks.Load;

/// <summary>One scenario's row: how many events in how long, how long each call took, and how long an event took to show.</summary>
internal sealed class LoadResult(string name, int agents)
{
    public string Name { get; } = name;

    public int Agents { get; } = agents;

    public long Events { get; set; }

    public long Requests { get; set; }

    public long Errors { get; set; }

    /// <summary>Events the append-to-cache probe had acknowledged beside <see cref="Events"/>: the log holds both.</summary>
    public long ProbeEvents { get; set; }

    public double Seconds { get; set; }

    public double EventsPerSecond => Seconds > 0 ? Events / Seconds : 0;

    /// <summary>What <see cref="Latency"/> times: "request" (one HTTP round trip), "call" (one SDK Append), "write".</summary>
    public string LatencyOf { get; set; } = "request";

    public LatencyHistogram Latency { get; } = new();

    /// <summary>Append to cache (or to the page, for the browser): from just before the append until it shows.</summary>
    public LatencyHistogram Shown { get; } = new();

    /// <summary>What <see cref="Shown"/> times, said in the report.</summary>
    public string ShownAs { get; set; } = "append-to-cache";

    /// <summary>Further named figures; names carry their unit.</summary>
    public List<KeyValuePair<string, double>> Metrics { get; } = [];

    public LoadResult With(string metric, double value)
    {
        Metrics.Add(new(metric, value));
        return this;
    }
}
