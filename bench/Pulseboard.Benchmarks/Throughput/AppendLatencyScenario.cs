using System.Diagnostics;
using Pulseboard.Client;
using Pulseboard.Log;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>
/// What one <see cref="PulseboardClient.Append"/> costs the agent that calls it, over the local log in
/// <see cref="Durability.None"/>: each call timed alone, and the bytes it allocates on the caller's thread.
/// </summary>
internal static class AppendLatencyScenario
{
    private const int AllocationCalls = 100_000;

    public static async Task<ScenarioResult> RunAsync(ThroughputOptions options, Event[] pool)
    {
        var calls = options.Calls;
        var warmup = Math.Max(10_000, calls / 5);
        using var folder = TempDataFolder.Create(options.TempRoot, "append-latency");
        var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = folder.Path, Durability = Durability.None });
        // Room for every call, so the figures are for queued events; a drop would still be counted and reported.
        var client = new PulseboardClient(new LocalLogTransport(log), new PulseboardClientOptions { QueueCapacity = warmup + calls + AllocationCalls });
        await using (client.ConfigureAwait(false))
        {
            var mask = pool.Length - 1;
            for (var i = 0; i < warmup; i++)
            {
                client.Append(pool[i & mask]);
            }
            await client.FlushAsync().ConfigureAwait(false);

            var timer = TimerOverhead();
            var ticks = new long[calls];
            var gen0 = GC.CollectionCount(0);
            var gen2 = GC.CollectionCount(2);
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                client.Append(pool[i & mask]);
                ticks[i] = Stopwatch.GetTimestamp() - t0;
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            gen0 = GC.CollectionCount(0) - gen0;
            gen2 = GC.CollectionCount(2) - gen2;
            await client.FlushAsync().ConfigureAwait(false);
            var drained = Stopwatch.GetElapsedTime(started);

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < AllocationCalls; i++)
            {
                client.Append(pool[i & mask]);
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            await client.FlushAsync().ConfigureAwait(false);

            var latency = Latencies.FromTicks(ticks);
            return new ScenarioResult("append-latency", calls, elapsed.TotalSeconds)
                .With("p50_us", latency.P50)
                .With("p99_us", latency.P99)
                .With("p99.9_us", latency.P999)
                .With("max_us", latency.Max)
                .With("timer_us", timer)
                .With("bytes_per_call", (double)allocated / AllocationCalls)
                .With("dropped", client.Dropped)
                .With("delivered", client.Delivered)
                .With("gen0_gcs", gen0)
                .With("gen2_gcs", gen2)
                .With("drained_s", drained.TotalSeconds);
        }
    }

    /// <summary>The median cost of the two timestamps around each call, included in every latency above.</summary>
    private static double TimerOverhead()
    {
        var ticks = new long[100_000];
        for (var i = 0; i < ticks.Length; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            ticks[i] = Stopwatch.GetTimestamp() - t0;
        }
        return Latencies.FromTicks(ticks).P50;
    }
}
