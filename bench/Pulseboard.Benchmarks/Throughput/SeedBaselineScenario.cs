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
        var appender = new SeedAppender(Path.Combine(folder.Path, "dashboard-events.json"));
        var count = options.SeedEvents;
        var started = Stopwatch.GetTimestamp();
        for (long i = 0; i < count; i++)
        {
            appender.Append(pool[i % pool.Length]);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new ScenarioResult("seed-baseline", count, elapsed.TotalSeconds)
            .With("bytes_per_event", (double)new FileInfo(appender.Path).Length / count);
    }
}

/// <summary>One agent's append in the seed's design: stamp, serialize, open in append mode, write the line, close. Not thread-safe: one per agent.</summary>
internal sealed class SeedAppender(string path)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer = new(new ArrayBufferWriter<byte>());

    public string Path { get; } = path;

    public void Append(Event e)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        EventJson.WriteProperties(_writer, e, DateTimeOffset.UtcNow);
        _writer.WriteEndObject();
        _writer.Flush();
        _buffer.Write("\n"u8);
        // One write per event, as a buffered Python file does on close: generous to the seed.
        using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        file.Write(_buffer.WrittenSpan);
    }
}
