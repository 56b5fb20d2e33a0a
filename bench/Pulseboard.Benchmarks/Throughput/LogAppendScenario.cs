using System.Diagnostics;
using Pulseboard.Log;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>
/// Sustained appends straight into a <see cref="FileEventLog"/>: several appenders, each awaiting one batch at a
/// time, so the log's group commit sees what concurrent producers give it.
/// </summary>
internal static class LogAppendScenario
{
    public static async Task<ScenarioResult> RunAsync(
        string name, string dataDirectory, Durability durability, long events, int appenders, int batchSize, Event[] pool)
    {
        var batches = MakeBatches(pool, batchSize);
        var perAppender = (int)Math.Ceiling((double)events / ((long)appenders * batchSize));
        var total = (long)perAppender * appenders * batchSize;

        var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = dataDirectory, Durability = durability });
        long[][] latencies;
        long rejected;
        TimeSpan elapsed;
        var started = Stopwatch.GetTimestamp();
        await using (log.ConfigureAwait(false))
        {
            var work = new Task<(long[] Ticks, long Rejected)>[appenders];
            for (var a = 0; a < appenders; a++)
            {
                var first = a * 7;
                work[a] = Task.Run(() => AppendBatchesAsync(log, batches, first, perAppender));
            }
            var done = await Task.WhenAll(work).ConfigureAwait(false);
            elapsed = Stopwatch.GetElapsedTime(started);
            latencies = done.Select(d => d.Ticks).ToArray();
            rejected = done.Sum(d => d.Rejected);
            if (log.End != total)
            {
                throw new InvalidOperationException($"{name}: the log ends at {log.End}, expected {total}.");
            }
        }
        var closed = Stopwatch.GetElapsedTime(started) - elapsed;

        var bytes = new DirectoryInfo(Path.Combine(dataDirectory, "events")).EnumerateFiles("*.jsonl").Sum(f => f.Length);
        var batch = Latencies.FromTicks(latencies.SelectMany(t => t).ToArray());
        return new ScenarioResult(name, total, elapsed.TotalSeconds)
            .With("appenders", appenders)
            .With("batch", batchSize)
            .With("batch_p50_us", batch.P50)
            .With("batch_p99_us", batch.P99)
            .With("batch_max_us", batch.Max)
            .With("MB_per_s", bytes / 1e6 / elapsed.TotalSeconds)
            .With("bytes_per_event", (double)bytes / total)
            .With("rejected", rejected)
            .With("close_ms", closed.TotalMilliseconds);
    }

    private static async Task<(long[] Ticks, long Rejected)> AppendBatchesAsync(FileEventLog log, Event[][] batches, int first, int count)
    {
        var ticks = new long[count];
        long rejected = 0;
        for (var k = 0; k < count; k++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var outcomes = await log.AppendAsync(batches[(first + k) % batches.Length]).ConfigureAwait(false);
            ticks[k] = Stopwatch.GetTimestamp() - t0;
            foreach (var outcome in outcomes)
            {
                if (!outcome.Stored)
                {
                    rejected++;
                }
            }
        }
        return (ticks, rejected);
    }

    /// <summary>Batches of pooled events, each starting elsewhere in the pool, so neighbouring batches differ.</summary>
    private static Event[][] MakeBatches(Event[] pool, int batchSize)
    {
        var batches = new Event[64][];
        for (var b = 0; b < batches.Length; b++)
        {
            batches[b] = new Event[batchSize];
            for (var i = 0; i < batchSize; i++)
            {
                batches[b][i] = pool[(b * 997 + i) % pool.Length];
            }
        }
        return batches;
    }
}
