using System.Globalization;
using System.Text.Json;
using Pulseboard.Benchmarks.Throughput;

namespace Pulseboard.Benchmarks.Load;

/// <summary>The load report: a table for people, JSON for comparing runs, and the ratios to the seed's design.</summary>
internal static class LoadReport
{
    public static void PrintTable(TextWriter output, List<LoadResult> results, List<KeyValuePair<string, double>> ratios)
    {
        output.WriteLine($"{"scenario",-12} {"agents",6} {"events/s",11} {"requests/s",11} {"errors",6}  {"each",-7} {"p50",8} {"p99",8} {"p99.9",8} {"max",8}  {"shown",-22} {"p50",8} {"p99",8} {"p99.9",8} {"max",8} {"n",6}");
        output.WriteLine(new string('-', 160));
        foreach (var r in results)
        {
            var each = r.Latency.Count > 0 ? $"{r.LatencyOf,-7} {Ms(r.Latency.Milliseconds(0.50)),8} {Ms(r.Latency.Milliseconds(0.99)),8} {Ms(r.Latency.Milliseconds(0.999)),8} {Ms(r.Latency.MaxMilliseconds),8}" : new string(' ', 43);
            var shown = r.Shown.Count > 0 ? $"{r.ShownAs,-22} {Ms(r.Shown.Milliseconds(0.50)),8} {Ms(r.Shown.Milliseconds(0.99)),8} {Ms(r.Shown.Milliseconds(0.999)),8} {Ms(r.Shown.MaxMilliseconds),8} {r.Shown.Count,6}" : "";
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-12} {r.Agents,6} {PerSecond(r.Events, r.Seconds),11} {PerSecond(r.Requests, r.Seconds),11} {r.Errors,6}  {each}  {shown}");
            output.WriteLine(line.TrimEnd());
            if (r.Metrics.Count > 0)
            {
                output.WriteLine($"{"",12}   {string.Join("  ", r.Metrics.Select(m => $"{m.Key}={ResultWriter.Format(m.Value)}"))}");
            }
        }
        output.WriteLine("each: one HTTP request, one SDK Append call, or one open/write/close (seed). shown: from just before the append until");
        output.WriteLine("a frame of the dashboard's stream carries it (the seed: until a cron cycle that began after it ends; run back to back,");
        output.WriteLine("where the seed document runs it every 30 to 60 s), or until the page shows it (browser).");
        foreach (var (name, value) in ratios)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio {name}: {value:F1}x"));
        }
    }

    /// <summary>
    /// Each Pulseboard figure over (or under, where less is better) the seed design's same figure in this run, under
    /// the same load: <c>steady</c> against <c>seed-steady</c> (the same rate), the saturating scenarios against
    /// <c>seed</c> (as fast as each can).
    /// </summary>
    public static List<KeyValuePair<string, double>> Ratios(List<LoadResult> results)
    {
        var ratios = new List<KeyValuePair<string, double>>();
        LoadResult? Find(string name) => results.Find(r => r.Name == name);
        if (Find("seed") is { EventsPerSecond: > 0 } seed)
        {
            foreach (var r in results.Where(r => r.Name is "http-single" or "http-batch" or "sdk"))
            {
                ratios.Add(new($"{r.Name} events/s over seed events/s", r.EventsPerSecond / seed.EventsPerSecond));
            }
            if (Find("sdk") is { Latency.Count: > 0 } sdk)
            {
                ratios.Add(new("seed write p50 over sdk Append p50 (the agent's call)", seed.Latency.Milliseconds(0.5) / sdk.Latency.Milliseconds(0.5)));
                ratios.Add(new("seed write p99 over sdk Append p99", seed.Latency.Milliseconds(0.99) / sdk.Latency.Milliseconds(0.99)));
            }
        }
        foreach (var (ours, theirs) in new[] { ("steady", "seed-steady"), ("http-single", "seed"), ("http-batch", "seed"), ("sdk", "seed") })
        {
            if (Find(ours) is { Shown.Count: > 0 } r && Find(theirs) is { Shown.Count: > 0 } s)
            {
                ratios.Add(new($"{theirs} append-to-cache p50 over {ours}'s", s.Shown.Milliseconds(0.5) / r.Shown.Milliseconds(0.5)));
                ratios.Add(new($"{theirs} append-to-cache p99 over {ours}'s", s.Shown.Milliseconds(0.99) / r.Shown.Milliseconds(0.99)));
            }
        }
        return ratios;
    }

    public static void WriteJson(
        string path,
        List<KeyValuePair<string, string>> machine,
        LoadOptions options,
        ServerFigures? server,
        List<LoadResult> results,
        List<KeyValuePair<string, double>> ratios,
        List<string> checks)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        ResultWriter.WriteMeasured(json, machine);
        json.WriteStartObject("options");
        json.WriteString("url", options.Url?.ToString());
        json.WriteNumber("agents", options.Agents);
        json.WriteNumber("seconds", options.Seconds);
        json.WriteNumber("batch", options.Batch);
        json.WriteNumber("clients", options.Clients);
        json.WriteString("durability", options.Durability);
        if (options.Events is { } events)
        {
            json.WriteNumber("events", events);
        }
        json.WriteEndObject();
        if (server is not null)
        {
            json.WriteStartObject("server");
            Number(json, "logEndSeq", server.LogEnd);
            Number(json, "peakResidentMB", server.Process?.PeakMb);
            Number(json, "cpuSeconds", server.Process?.CpuSeconds);
            json.WriteEndObject();
        }
        json.WriteStartArray("scenarios");
        foreach (var r in results)
        {
            json.WriteStartObject();
            json.WriteString("name", r.Name);
            json.WriteNumber("agents", r.Agents);
            json.WriteNumber("events", r.Events);
            json.WriteNumber("requests", r.Requests);
            json.WriteNumber("errors", r.Errors);
            json.WriteNumber("seconds", Math.Round(r.Seconds, 3));
            json.WriteNumber("eventsPerSecond", Math.Round(r.EventsPerSecond, 1));
            json.WriteNumber("requestsPerSecond", Math.Round(Rate(r.Requests, r.Seconds), 1));
            Percentiles(json, "latency", r.LatencyOf, r.Latency);
            Percentiles(json, "shown", r.ShownAs, r.Shown);
            ResultWriter.WriteFigures(json, "metrics", r.Metrics, 3);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        ResultWriter.WriteFigures(json, "ratios", ratios, 2);
        json.WriteStartArray("checks");
        foreach (var check in checks)
        {
            json.WriteStringValue(check);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Percentiles(Utf8JsonWriter json, string name, string of, LatencyHistogram histogram)
    {
        if (histogram.Count == 0)
        {
            return;
        }
        json.WriteStartObject(name);
        json.WriteString("of", of);
        json.WriteNumber("count", histogram.Count);
        json.WriteNumber("p50Ms", Math.Round(histogram.Milliseconds(0.50), 6));
        json.WriteNumber("p99Ms", Math.Round(histogram.Milliseconds(0.99), 6));
        json.WriteNumber("p999Ms", Math.Round(histogram.Milliseconds(0.999), 6));
        json.WriteNumber("maxMs", Math.Round(histogram.MaxMilliseconds, 6));
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v, 3));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static double Rate(long count, double seconds) => seconds > 0 ? count / seconds : 0;

    /// <summary>A rate for the table; blank where the scenario measures no rate.</summary>
    private static string PerSecond(long count, double seconds) =>
        count > 0 && seconds > 0 ? (count / seconds).ToString("N0", CultureInfo.InvariantCulture) : "";

    /// <summary>Milliseconds, or microseconds below one millisecond.</summary>
    private static string Ms(double ms) => ms < 1
        ? string.Create(CultureInfo.InvariantCulture, $"{ms * 1000:0.##}µs")
        : string.Create(CultureInfo.InvariantCulture, $"{ms:0.#}ms");
}
