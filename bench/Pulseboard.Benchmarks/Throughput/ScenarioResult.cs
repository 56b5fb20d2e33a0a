namespace Pulseboard.Benchmarks.Throughput;

/// <summary>One row of the table: how many events in how long, and whatever else the scenario measured.</summary>
internal sealed class ScenarioResult(string name, long events, double seconds)
{
    public string Name { get; } = name;

    public long Events { get; } = events;

    public double Seconds { get; } = seconds;

    public double EventsPerSecond => Seconds > 0 ? Events / Seconds : 0;

    /// <summary>Named figures in the order they were added; names carry their unit (<c>p99_us</c>, <c>bytes_per_call</c>).</summary>
    public List<KeyValuePair<string, double>> Metrics { get; } = [];

    public ScenarioResult With(string metric, double value)
    {
        Metrics.Add(new(metric, value));
        return this;
    }
}
