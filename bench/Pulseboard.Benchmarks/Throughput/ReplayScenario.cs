using System.Diagnostics;
using Pulseboard.Log;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>
/// Reading a whole log back, as a projector rebuilding its caches does: once over the raw lines, once parsing each
/// into an <see cref="Event"/>. The log is reopened first, so the time recovery takes to check it is shown too.
/// </summary>
internal static class ReplayScenario
{
    private const int ReadMax = 4096;

    public static async Task<ScenarioResult[]> RunAsync(string dataDirectory)
    {
        var started = Stopwatch.GetTimestamp();
        var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = dataDirectory, Retention = null });
        var opened = Stopwatch.GetElapsedTime(started);
        await using (log.ConfigureAwait(false))
        {
            var raw = Replay(log, parse: false);
            var parsed = Replay(log, parse: true);
            return
            [
                new ScenarioResult("replay", raw.Count, raw.Seconds)
                    .With("MB_per_s", raw.Bytes / 1e6 / raw.Seconds)
                    .With("open_ms", opened.TotalMilliseconds),
                new ScenarioResult("replay-parse", parsed.Count, parsed.Seconds)
                    .With("MB_per_s", parsed.Bytes / 1e6 / parsed.Seconds),
            ];
        }
    }

    private static (long Count, long Bytes, double Seconds) Replay(FileEventLog log, bool parse)
    {
        var records = new List<LogRecord>(ReadMax);
        long count = 0, bytes = 0, check = 0;
        var started = Stopwatch.GetTimestamp();
        using (var cursor = log.OpenCursor(1))
        {
            while (cursor.Read(records, ReadMax) > 0)
            {
                foreach (var record in records)
                {
                    bytes += record.Line.Length;
                    if (parse)
                    {
                        check += record.ToEvent().Section.Length;
                    }
                }
                count += records.Count;
                records.Clear();
            }
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (count != log.End || (parse && check == 0))
        {
            throw new InvalidOperationException($"replay read {count} events of {log.End}.");
        }
        return (count, bytes, seconds);
    }
}
