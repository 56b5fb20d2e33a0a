using System.Globalization;
using System.Text.Json;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>The results as a table for people and as JSON for comparing runs.</summary>
internal static class ResultWriter
{
    public static void PrintTable(TextWriter output, List<ScenarioResult> results, List<KeyValuePair<string, double>> ratios)
    {
        output.WriteLine($"{"scenario",-20} {"events",12} {"seconds",9} {"events/s",14}  details");
        output.WriteLine(new string('-', 105));
        foreach (var r in results)
        {
            var details = string.Join("  ", r.Metrics.Select(m => $"{m.Key}={Format(m.Value)}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name,-20} {r.Events,12:N0} {r.Seconds,9:F3} {r.EventsPerSecond,14:N0}  {details}"));
        }
        foreach (var (name, value) in ratios)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio {name}: {value:F2}x"));
        }
    }

    public static void WriteJson(
        string path,
        List<KeyValuePair<string, string>> machine,
        ThroughputOptions options,
        double eventBytes,
        List<ScenarioResult> results,
        List<KeyValuePair<string, double>> ratios)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        WriteMeasured(json, machine);
        json.WriteStartObject("options");
        json.WriteNumber("events", options.Events);
        json.WriteNumber("fsyncEvents", options.FsyncEvents);
        json.WriteNumber("seedEvents", options.SeedEvents);
        json.WriteNumber("calls", options.Calls);
        json.WriteNumber("projectionEvents", options.ProjectionEvents);
        json.WriteNumber("bigLog", options.BigLog);
        json.WriteNumber("eventBytes", Math.Round(eventBytes, 1));
        json.WriteEndObject();
        json.WriteStartArray("results");
        foreach (var r in results)
        {
            json.WriteStartObject();
            json.WriteString("name", r.Name);
            json.WriteNumber("events", r.Events);
            json.WriteNumber("seconds", Math.Round(r.Seconds, 6));
            json.WriteNumber("eventsPerSecond", Math.Round(r.EventsPerSecond, 1));
            WriteFigures(json, "metrics", r.Metrics, 3);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteFigures(json, "ratios", ratios, 2);
        json.WriteEndObject();
    }

    /// <summary>When, and on what: <c>measured</c> and the <c>machine</c> object.</summary>
    public static void WriteMeasured(Utf8JsonWriter json, List<KeyValuePair<string, string>> machine)
    {
        json.WriteString("measured", DateTimeOffset.UtcNow);
        json.WriteStartObject("machine");
        foreach (var (key, value) in machine)
        {
            json.WriteString(key, value);
        }
        json.WriteEndObject();
    }

    /// <summary>An object of named figures, each rounded to <paramref name="digits"/> places.</summary>
    public static void WriteFigures(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<string, double>> figures, int digits)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in figures)
        {
            json.WriteNumber(key, Math.Round(value, digits));
        }
        json.WriteEndObject();
    }

    /// <summary>A figure as short as it reads well: whole numbers bare, small ones to three places.</summary>
    public static string Format(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e12
            ? value.ToString("0", CultureInfo.InvariantCulture)
            : value.ToString(Math.Abs(value) >= 100 ? "0.0" : "0.###", CultureInfo.InvariantCulture);
}
