using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>
/// The projector's parse floor (issue 11): the least any reader of the log can do with it. Reads every segment
/// (<c>events/*.jsonl</c>, in order) in 64 KB chunks of one pooled buffer, cuts the lines, and walks every JSON token
/// of each with <see cref="Utf8JsonReader"/>, keeping nothing. A projector must at least do this once per event, so
/// its replay time over this one says what applying the events costs on top of reading them.
/// </summary>
internal static class ParseFloor
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>Lines, tokens and seconds for one pass over the log in <paramref name="dataDirectory"/>.</summary>
    public static (long Lines, long Tokens, double Seconds, double CpuSeconds) Run(string dataDirectory)
    {
        var segments = Directory.GetFiles(Path.Combine(dataDirectory, "events"), "*.jsonl");
        Array.Sort(segments, StringComparer.Ordinal); // named by their first seq, zero-padded: sorted is in order
        long lines = 0, tokens = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        var cpu = ProjectionScenario.CpuSeconds();
        var started = Stopwatch.GetTimestamp();
        try
        {
            foreach (var segment in segments)
            {
                using var file = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
                var pending = 0;
                int read;
                while ((read = file.Read(buffer, pending, buffer.Length - pending)) > 0)
                {
                    var span = buffer.AsSpan(0, pending + read);
                    int newline;
                    while ((newline = span.IndexOf((byte)'\n')) >= 0)
                    {
                        tokens += Walk(span[..newline]);
                        lines++;
                        span = span[(newline + 1)..];
                    }
                    span.CopyTo(buffer); // the start of a line cut by the chunk's end
                    pending = span.Length;
                    if (pending == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan().CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (lines, tokens, seconds, ProjectionScenario.CpuSeconds() - cpu);
    }

    private static long Walk(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        long tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }
        return tokens;
    }
}
