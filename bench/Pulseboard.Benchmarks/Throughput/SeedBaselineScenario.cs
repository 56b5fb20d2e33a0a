using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>
/// The seed document's way to append: per event, stamp the time, serialize it, open the file in append mode, write
/// one JSON line, close it (Python's <c>with open(path, "a") as f: f.write(json.dumps(event) + "\n")</c>).
/// </summary>
internal static class SeedBaselineScenario
{
    public static ScenarioResult Run(ThroughputOptions options, Event[] pool)
    {
        using var folder = TempDataFolder.Create(options.TempRoot, "seed-baseline");
        var path = Path.Combine(folder.Path, "dashboard-events.json");
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(buffer);
        var count = options.SeedEvents;
        var started = Stopwatch.GetTimestamp();
        for (long i = 0; i < count; i++)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartObject();
            EventJson.WriteProperties(writer, pool[i % pool.Length], DateTimeOffset.UtcNow);
            writer.WriteEndObject();
            writer.Flush();
            buffer.Write("\n"u8);
            // One write per event, as a buffered Python file does on close: generous to the baseline.
            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            file.Write(buffer.WrittenSpan);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new ScenarioResult("seed-baseline", count, elapsed.TotalSeconds)
            .With("bytes_per_event", (double)new FileInfo(path).Length / count);
    }
}
