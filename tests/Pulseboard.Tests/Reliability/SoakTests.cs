using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pulseboard.Log;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Reliability;

/// <summary>
/// A real server process under a steady load for a bounded time: agents posting single events and batches, pages
/// polling with an ETag and listening on SSE, a <c>/metrics</c> scrape a second, the process sampled every second
/// from <c>/proc</c>. No request fails, every stream stays live to the end, every acknowledged event is in the log
/// after a graceful stop, and memory and descriptors level off once warmed up.
/// </summary>
/// <remarks>
/// 20 s in a normal run, 10 minutes with <c>./test.sh --long</c>; <c>PULSEBOARD_SOAK_SECONDS</c> overrides both.
/// Latencies are printed, not asserted: on a shared 2-core machine they measure the neighbours as much as the
/// server. With <c>PULSEBOARD_SOAK_OUT</c> set to a path, the samples go there as CSV for <c>bench/soak-chart.py</c>.
/// </remarks>
public sealed partial class SoakTests(ITestOutputHelper output) : IDisposable
{
    private const int EventsPerSecond = 300;
    private const int Agents = 4;
    private const int FdSlack = 16;
    private const double RssGrowth = 1.25;
    private const double RssSlackMb = 32;
    private const string Quiet = "kickstarter"; // no agent writes to it
    private static readonly string[] s_polled = ["costs", "velocity", Quiet];
    private static readonly string[] s_streamed = ["costs", "fleet", "mindminer"];

    private readonly TempDirectory _data = new();
    private readonly int _seconds = Seconds();
    private readonly ConcurrentDictionary<string, long> _acks = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly List<double> _latencies = []; // POST latencies in ms of the second being sampled; lock it
    private long _acked;
    private int _failureCount;
    private long _started;

    public void Dispose() => _data.Dispose();

    /// <summary>One second of the run: the server process as /proc saw it, events acknowledged so far, that second's POST latencies.</summary>
    private sealed record Sample(double Seconds, ProcessStats Process, long Events, double P50, double P99, double HeapMb = 0);

    [Fact]
    public async Task A_server_under_steady_load_stays_level_and_loses_nothing()
    {
        // This process runs ten clients and the sampler beside xunit: with the pool's default minimum (one thread a
        // core) it starved now and then, and the POSTs it was timing showed up to a second that was not the server's.
        ThreadPool.GetMinThreads(out var workers, out var completions);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), completions);
        using var server = await ServerProcess.StartAsync(_data.Path, TestServer.FreePort());
        var streams = s_streamed.Select(d => new StreamWatch(d)).ToList();
        var byQuarter = Enumerable.Range(0, 4).Select(_ => new List<double>()).ToArray();
        var samples = new List<Sample> { new(0, ProcessStats.Read(server.Pid), 0, 0, 0) };
        long maxLag = 0;
        _started = Stopwatch.GetTimestamp();
        using var end = new CancellationTokenSource();
        // On the thread pool, not on xunit's few test threads: tests running alongside must not pace the clients.
        var clients = streams.Select(s => Task.Run(() => StreamAsync(s, server.Url, end.Token)))
            .Concat(s_polled.Select(d => Task.Run(() => PollerAsync(d, server.Url, end.Token))))
            .Concat(Enumerable.Range(0, Agents).Select(a => Task.Run(() => AgentAsync(a, server.Url, end.Token))))
            .ToList();
        try
        {
            using var scrape = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            for (var second = 1; second <= _seconds; second++)
            {
                await timer.WaitForNextTickAsync();
                var process = ProcessStats.Read(server.Pid);
                var latencies = TakeLatencies();
                byQuarter[(second - 1) * 4 / _seconds].AddRange(latencies);
                var (lag, heapMb) = await ScrapeAsync(scrape);
                samples.Add(new Sample(Stopwatch.GetElapsedTime(_started).TotalSeconds, process, Interlocked.Read(ref _acked), Percentile(latencies, 0.50), Percentile(latencies, 0.99), heapMb));
                maxLag = Math.Max(maxLag, lag);
            }
        }
        finally
        {
            end.Cancel(); // the clients finish what they have in flight and stop
            await Task.WhenAll(clients).WaitAsync(TimeSpan.FromMinutes(1));
        }
        var stopping = Stopwatch.GetTimestamp();
        var exitCode = await server.StopAsync(); // SIGTERM: the log is closed cleanly
        var stopped = Stopwatch.GetElapsedTime(stopping);

        var stored = await CheckLogAsync();
        Summarize(samples, byQuarter, streams, stored, maxLag, exitCode, stopped);
        WriteCsv(samples);

        Assert.True(_failureCount == 0, $"{_failureCount} failed requests, the first ones:\n" + string.Join('\n', _failures));
        Assert.Equal(0, exitCode);
        Assert.True(_acked > 0, "no event was acknowledged");
        Assert.Equal(_acked, stored);
        Assert.All(s_polled, d => Assert.True(_counts.GetValueOrDefault($"GET {d} 200") > 0, $"no poll of {d} answered 200"));
        foreach (var stream in streams)
        {
            Assert.True(stream.ConnectedAtEnd, $"the SSE stream of {stream.Dashboard} was not connected at the end");
            Assert.True(stream.FramesByQuarter.All(n => n > 0), $"the SSE stream of {stream.Dashboard} went quiet: frames by quarter {string.Join(", ", stream.FramesByQuarter)}");
        }
        // The first quarter is warm-up (JIT, pools, caches filling); from the second on, a leak shows as growth.
        var (warm, last) = (Quarter(samples, 1), Quarter(samples, 3));
        Assert.True(last.Max(s => s.Process.Fds) <= warm.Max(s => s.Process.Fds) + FdSlack,
            $"open descriptors keep growing: at most {warm.Max(s => s.Process.Fds)} in the second quarter, {last.Max(s => s.Process.Fds)} in the last");
        Assert.True(last.Max(s => s.Process.RssMb) <= (warm.Max(s => s.Process.RssMb) * RssGrowth) + RssSlackMb,
            $"memory keeps growing: at most {warm.Max(s => s.Process.RssMb):F0} MB in the second quarter, {last.Max(s => s.Process.RssMb):F0} MB in the last");
    }

    /// <summary>Reads the whole log: every acknowledged event is there once, at the seq it was acknowledged with. Returns the events stored.</summary>
    private async Task<long> CheckLogAsync()
    {
        var missing = new Dictionary<string, long>(_acks);
        long stored = 0;
        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, Retention = null });
        using var cursor = log.OpenCursor(1);
        var records = new List<LogRecord>();
        while (cursor.Read(records, 1000) > 0)
        {
            foreach (var record in records)
            {
                var id = record.ToEvent().Id!; // every line reads whole
                Assert.True(missing.Remove(id, out var seq) && seq == record.Seq, $"{id} at seq {record.Seq} was not acknowledged there (or is stored twice)");
                stored++;
            }
            records.Clear();
        }
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged events are not in the log, for example {missing.FirstOrDefault()}");
        return stored;
    }

    /// <summary>One scrape of /metrics, which must answer 200; returns the projector's lag in events and the server's managed heap in MB.</summary>
    private async Task<(long Lag, double HeapMb)> ScrapeAsync(HttpClient scrape)
    {
        const string Lag = "pulseboard_projector_lag_events ";
        const string Heap = "dotnet_gc_heap_size_bytes ";
        try
        {
            using var response = await scrape.GetAsync("/metrics");
            Count($"METRICS {(int)response.StatusCode}");
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                Fail($"/metrics answered {(int)response.StatusCode}");
                return (0, 0);
            }
            var lines = text.Split('\n');
            var lag = lines.FirstOrDefault(l => l.StartsWith(Lag, StringComparison.Ordinal));
            var heap = lines.FirstOrDefault(l => l.StartsWith(Heap, StringComparison.Ordinal));
            return (lag is null ? 0 : long.Parse(lag[Lag.Length..], CultureInfo.InvariantCulture),
                heap is null ? 0 : double.Parse(heap[Heap.Length..], CultureInfo.InvariantCulture) / (1024 * 1024));
        }
        catch (Exception ex)
        {
            Fail($"/metrics threw {ex.GetType().Name}: {ex.Message}");
            return (0, 0);
        }
    }

    private void Summarize(List<Sample> samples, List<double>[] byQuarter, List<StreamWatch> streams, long stored, long maxLag, int exitCode, TimeSpan stopped)
    {
        var run = samples[^1].Seconds;
        output.WriteLine($"soak: {run:F1} s, {Agents} agents at {EventsPerSecond} events/s in all, {s_polled.Length} pollers, {streams.Count} SSE clients, /metrics every second");
        output.WriteLine($"events: {_acked:N0} acknowledged ({_acked / run:F1}/s), {stored:N0} in the log; requests: {string.Join(", ", _counts.OrderBy(c => c.Key).Select(c => $"{c.Key} ×{c.Value:N0}"))}");
        output.WriteLine($"SSE frames by quarter: {string.Join("; ", streams.Select(s => $"{s.Dashboard} {string.Join('/', s.FramesByQuarter)}"))}");
        output.WriteLine($"RSS MB first/peak/last: {samples[0].Process.RssMb:F0} / {samples.Max(s => s.Process.RssMb):F0} / {samples[^1].Process.RssMb:F0}");
        output.WriteLine($"fds first/max/last: {samples[0].Process.Fds} / {samples.Max(s => s.Process.Fds)} / {samples[^1].Process.Fds}");
        output.WriteLine($"threads first/max/last: {samples[0].Process.Threads} / {samples.Max(s => s.Process.Threads)} / {samples[^1].Process.Threads}");
        for (var q = 0; q < 4; q++)
        {
            var quarter = Quarter(samples, q);
            output.WriteLine($"quarter {q + 1}: RSS max {quarter.Max(s => s.Process.RssMb):F0} MB, managed heap max {quarter.Max(s => s.HeapMb):F1} MB, fds max {quarter.Max(s => s.Process.Fds)}, threads max {quarter.Max(s => s.Process.Threads)}, "
                + $"POST p50 {Percentile(byQuarter[q], 0.50):F1} ms, p99 {Percentile(byQuarter[q], 0.99):F1} ms ({byQuarter[q].Count:N0} posts)");
        }
        output.WriteLine($"projector lag at most {maxLag} events at a scrape; SIGTERM to exit {exitCode} in {stopped.TotalSeconds:F1} s; {_failureCount} failures");
    }

    /// <summary>With <c>PULSEBOARD_SOAK_OUT</c> set, the samples as CSV: one row a second, for <c>bench/soak-chart.py</c>.</summary>
    private void WriteCsv(List<Sample> samples)
    {
        if (Environment.GetEnvironmentVariable("PULSEBOARD_SOAK_OUT") is not { Length: > 0 } path)
        {
            return;
        }
        var csv = new StringBuilder("seconds,rss_mb,fds,threads,events,post_p50_ms,post_p99_ms,gc_heap_mb\n");
        foreach (var s in samples)
        {
            csv.AppendLine(CultureInfo.InvariantCulture, $"{s.Seconds:F1},{s.Process.RssMb:F1},{s.Process.Fds},{s.Process.Threads},{s.Events},{s.P50:F2},{s.P99:F2},{s.HeapMb:F1}");
        }
        File.WriteAllText(path, csv.ToString());
        output.WriteLine($"samples written to {path}");
    }

    /// <summary>The samples of quarter <paramref name="q"/> (0–3) of the run; the baseline at 0 s belongs to none.</summary>
    private List<Sample> Quarter(List<Sample> samples, int q) => samples.Skip(1).Where((_, i) => i * 4 / _seconds == q).ToList();

    /// <summary>The quarter of the run a moment falls in.</summary>
    private int Quarter(TimeSpan elapsed) => Math.Clamp((int)(elapsed.TotalSeconds * 4 / _seconds), 0, 3);

    private void RecordLatency(TimeSpan elapsed)
    {
        lock (_latencies)
        {
            _latencies.Add(elapsed.TotalMilliseconds);
        }
    }

    private List<double> TakeLatencies()
    {
        lock (_latencies)
        {
            var taken = _latencies.ToList();
            _latencies.Clear();
            return taken;
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private void Count(string what) => _counts.AddOrUpdate(what, 1, (_, n) => n + 1);

    /// <summary>Counts every failure and keeps the first few messages.</summary>
    private void Fail(string message)
    {
        if (Interlocked.Increment(ref _failureCount) <= 20)
        {
            _failures.Enqueue(message);
        }
    }

    /// <summary>How long to soak: <c>PULSEBOARD_SOAK_SECONDS</c>, else 20 s, or 10 minutes in a long run. At least 8, so each quarter has samples.</summary>
    private static int Seconds()
    {
        var seconds = Environment.GetEnvironmentVariable("PULSEBOARD_SOAK_SECONDS") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : Scale.Pick(ci: 20, longRun: 600);
        return seconds >= 8 ? seconds : throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "PULSEBOARD_SOAK_SECONDS must be at least 8 (each quarter of the run needs samples).");
    }
}
