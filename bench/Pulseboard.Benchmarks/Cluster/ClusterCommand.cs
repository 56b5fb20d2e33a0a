using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Pulseboard.Benchmarks.Load;
using Pulseboard.Benchmarks.Throughput;

namespace Pulseboard.Benchmarks.Cluster;

/// <summary>
/// The <c>cluster</c> mode (issue 15): events a second through <c>pulseboard serve</c> on the file log, on one NATS
/// server (R1), on a three-server cluster (R3) through one node and through two, in the same run; the pause clients see
/// when the stream's leader (or a follower) is killed; and JetStream's own per-message costs, for the ceiling.
/// </summary>
internal static class ClusterCommand
{
    private const string Help = """
        usage: Pulseboard.Benchmarks cluster [options]
          --seconds N     how long each throughput scenario runs (default 10)
          --agents N      concurrent posters (default 8), split evenly between nodes
          --batch N       events per request (default 100)
          --failovers N   times the stream's leader is killed (default 3); a follower is killed once
          --only a,b      throughput, failover, raw (default all)
          --json FILE     also write the figures as JSON
        Starts its own nats-server processes (Debian's, on free loopback ports) and pulseboard serve nodes, and stops
        them by pid. Figures are printed as a table; docs/BENCHMARKS.md records them.
        """;

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = 10.0;
        int agents = 8, batch = 100, failovers = 3;
        string? json = null;
        var only = new HashSet<string>(["throughput", "failover", "raw"]);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--seconds": seconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--agents": agents = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--failovers": failovers = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--only": only = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries)]; break;
                case "--json": json = Value(); break;
                case "--help" or "-h": Console.WriteLine(Help); return 0;
                default: Console.Error.WriteLine($"unknown option {args[i]}\n\n{Help}"); return 2;
            }
        }
        foreach (var (key, value) in MachineInfo.Describe(Path.GetTempPath()))
        {
            Console.WriteLine($"{key,-13} {value}");
        }
        var figures = new Dictionary<string, object>();
        await using var single = await NatsNodes.StartAsync(1).ConfigureAwait(false);
        await using var cluster = await NatsNodes.StartAsync(3).ConfigureAwait(false);
        Console.Error.WriteLine($"cluster: one nats-server at {single.Urls}; three at {cluster.Urls}");
        if (only.Contains("raw"))
        {
            figures["raw"] = await RawAsync(single, cluster).ConfigureAwait(false);
        }
        if (only.Contains("throughput"))
        {
            figures["throughput"] = await ThroughputAsync(single, cluster, seconds, agents, batch).ConfigureAwait(false);
        }
        if (only.Contains("failover"))
        {
            figures["failover"] = await FailoverAsync(cluster, failovers).ConfigureAwait(false);
            figures["failover_floor"] = await RawFailoverAsync(cluster, failovers).ConfigureAwait(false);
        }
        if (json is not null)
        {
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(figures, s_indented)).ConfigureAwait(false);
            Console.WriteLine($"wrote {json}");
        }
        return 0;
    }

    /// <summary>JetStream alone: one publish at a time (the cost of an acknowledgement) and 256 in flight (the leader's rate).</summary>
    private static async Task<List<Dictionary<string, object>>> RawAsync(NatsNodes single, NatsNodes cluster)
    {
        var payload = Encoding.UTF8.GetBytes("""{"timestamp":"2026-12-01T12:00:00.000Z","source":"bench-agent-7","dashboard":"costs","section":"spend","action":"spent","id":"b-0000000000","content":{"usd":0.42,"model":"gpt"}}""");
        var rows = new List<Dictionary<string, object>>();
        Console.WriteLine($"\nraw JetStream, {payload.Length}-byte messages with a Nats-Msg-Id each");
        Console.WriteLine($"{"stream",-8} {"one at a time: µs/ack (median, p99)",38} {"256 in flight: messages/s",28}");
        foreach (var (label, nodes, replicas) in new[] { ("R1", single, 1), ("R3", cluster, 3) })
        {
            await using var connection = new NatsConnection(NatsOpts.Default with { Url = nodes.Urls });
            var js = new NatsJSContext(connection);
            await nodes.CreateStreamAsync(js, "RAWBENCH", "rawbench.>", replicas).ConfigureAwait(false);
            var latencies = new List<double>();
            for (var i = 0; i < 2000; i++)
            {
                var started = Stopwatch.GetTimestamp();
                (await js.PublishAsync("rawbench.x", payload, opts: new NatsJSPubOpts { MsgId = $"s{i}" }).ConfigureAwait(false)).EnsureSuccess();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
            latencies.Sort();
            const int Count = 50_000, Window = 256;
            var clock = Stopwatch.StartNew();
            var inFlight = new Queue<Task<PubAckResponse>>();
            for (var i = 0; i < Count; i++)
            {
                if (inFlight.Count == Window)
                {
                    (await inFlight.Dequeue().ConfigureAwait(false)).EnsureSuccess();
                }
                inFlight.Enqueue(js.PublishAsync("rawbench.x", payload, opts: new NatsJSPubOpts { MsgId = $"p{i}" }).AsTask());
            }
            while (inFlight.Count > 0)
            {
                (await inFlight.Dequeue().ConfigureAwait(false)).EnsureSuccess();
            }
            var rate = Count / clock.Elapsed.TotalSeconds;
            var median = latencies[latencies.Count / 2];
            var p99 = latencies[(int)(latencies.Count * 0.99)];
            Console.WriteLine($"{label,-8} {median,28:N0} / {p99,7:N0} {rate,28:N0}");
            rows.Add(new() { ["stream"] = label, ["ack_median_us"] = median, ["ack_p99_us"] = p99, ["pipelined_per_s"] = rate });
            await js.DeleteStreamAsync("RAWBENCH").ConfigureAwait(false);
        }
        return rows;
    }

    private static async Task<List<Dictionary<string, object>>> ThroughputAsync(NatsNodes single, NatsNodes cluster, double seconds, int agents, int batch)
    {
        var rows = new List<Dictionary<string, object>>();
        Console.WriteLine($"\nthrough pulseboard serve: {agents} agents posting {batch}-event NDJSON batches with ids for {seconds:F0} s");
        Console.WriteLine($"{"log",-22} {"nodes",5} {"events/s",10} {"request ms p50",15} {"p99",8} {"non-202",8}");
        var scenarios = new (string Label, string[] Args, int Nodes)[]
        {
            ("file", [], 1),
            ("jetstream R1", ["--log", single.Urls], 1),
            ("jetstream R3", ["--log", cluster.Urls, "--replicas", "3"], 1),
            ("jetstream R3", ["--log", cluster.Urls, "--replicas", "3"], 2),
        };
        foreach (var (label, extra, count) in scenarios)
        {
            var servers = new List<LoadServer>();
            try
            {
                for (var n = 0; n < count; n++)
                {
                    servers.Add(await LoadServer.StartOwnedAsync("cluster", extra).ConfigureAwait(false));
                }
                var result = await PostAsync(servers, agents, batch, TimeSpan.FromSeconds(seconds), $"{label}-{count}").ConfigureAwait(false);
                Console.WriteLine($"{label,-22} {count,5} {result.Events / seconds,10:N0} {result.Latency.Milliseconds(0.5),15:F1} {result.Latency.Milliseconds(0.99),8:F1} {result.Failures,8:N0}");
                rows.Add(new() { ["log"] = label, ["nodes"] = count, ["events_per_s"] = result.Events / seconds, ["p50_ms"] = result.Latency.Milliseconds(0.5), ["p99_ms"] = result.Latency.Milliseconds(0.99), ["non_202"] = result.Failures });
            }
            finally
            {
                foreach (var server in servers)
                {
                    await server.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        return rows;
    }

    private sealed record Posted(long Events, long Failures, LatencyHistogram Latency);

    /// <summary>Each agent posts batches with fresh ids in a closed loop to its node until <paramref name="length"/> passes.</summary>
    private static async Task<Posted> PostAsync(List<LoadServer> servers, int agents, int batch, TimeSpan length, string run)
    {
        // Warm up: a few batches per node, unrecorded, so the server's hot paths are compiled.
        foreach (var server in servers)
        {
            for (var i = 0; i < 20; i++)
            {
                using var body = Body(batch, $"{run}-warm-{server.Url.Port}-{i}");
                using var _ = await server.Http.PostAsync("/api/events", body).ConfigureAwait(false);
            }
        }
        var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var histograms = new LatencyHistogram[agents];
        var events = new long[agents];
        var failures = new long[agents];
        await Task.WhenAll(Enumerable.Range(0, agents).Select(a => Task.Run(async () =>
        {
            var server = servers[a % servers.Count];
            histograms[a] = new LatencyHistogram();
            for (var n = 0; Stopwatch.GetTimestamp() < until; n++)
            {
                using var body = Body(batch, $"{run}-{a}-{n}");
                var started = Stopwatch.GetTimestamp();
                using var response = await server.Http.PostAsync("/api/events", body).ConfigureAwait(false);
                histograms[a].RecordTicks(Stopwatch.GetTimestamp() - started);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    events[a] += batch;
                }
                else
                {
                    failures[a]++;
                }
            }
        }))).ConfigureAwait(false);
        var all = new LatencyHistogram();
        foreach (var h in histograms)
        {
            all.Add(h);
        }
        return new Posted(events.Sum(), failures.Sum(), all);
    }

    private static StringContent Body(int batch, string prefix)
    {
        var text = new StringBuilder(batch * 160);
        for (var i = 0; i < batch; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $$$"""{"dashboard":"costs","section":"spend","action":"spent","source":"bench","id":"{{{prefix}}}-{{{i}}}","content":{"usd":0.25,"model":"m{{{i % 7}}}"}}""").Append('\n');
        }
        return new StringContent(text.ToString(), Encoding.UTF8, "application/x-ndjson");
    }

    /// <summary>
    /// Four agents post single events with ids, each retrying the same id until a 202; the stream's leader is SIGKILLed
    /// <paramref name="failovers"/> times and a follower once. The pause is the longest time with no 202 at all, around the kill.
    /// </summary>
    private static async Task<List<Dictionary<string, object>>> FailoverAsync(NatsNodes cluster, int failovers)
    {
        var rows = new List<Dictionary<string, object>>();
        Console.WriteLine("\nfailover: 4 agents posting single events with ids to one node on the R3 cluster, retrying the same id until a 202");
        Console.WriteLine($"{"killed",-10} {"no 202 for (s)",15} {"slowest event, first try to 202 (s)",37} {"retries",8}");
        await using var server = await LoadServer.StartOwnedAsync("failover", ["--log", cluster.Urls, "--replicas", "3"]).ConfigureAwait(false);
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = cluster.Urls });
        var js = new NatsJSContext(connection);
        for (var round = 0; round <= failovers; round++)
        {
            var leader = await NatsNodes.StreamLeaderAsync(js, "PULSEBOARD", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            var info = (await js.GetStreamAsync("PULSEBOARD").ConfigureAwait(false)).Info;
            var follower = info.Cluster!.Replicas!.First().Name;
            var victim = round < failovers ? leader : follower;
            var kind = round < failovers ? "leader" : "follower";
            using var stop = new CancellationTokenSource();
            var acks = new System.Collections.Concurrent.ConcurrentQueue<long>();
            long slowest = 0, retries = 0;
            var agents = Enumerable.Range(0, 4).Select(a => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var first = Stopwatch.GetTimestamp();
                    while (true)
                    {
                        using var body = new StringContent($$$"""{"dashboard":"costs","section":"spend","action":"spent","id":"f{{{round}}}-{{{a}}}-{{{n}}}","content":{"usd":1}}""", Encoding.UTF8, "application/json");
                        try
                        {
                            using var response = await server.Http.PostAsync("/api/events", body).ConfigureAwait(false);
                            if (response.StatusCode == HttpStatusCode.Accepted)
                            {
                                break;
                            }
                        }
                        catch (HttpRequestException)
                        {
                        }
                        Interlocked.Increment(ref retries);
                        await Task.Delay(50).ConfigureAwait(false); // a client's back-off before it retries the same id
                    }
                    var now = Stopwatch.GetTimestamp();
                    acks.Enqueue(now);
                    InterlockedMax(ref slowest, now - first);
                }
            })).ToArray();
            await Task.Delay(2000).ConfigureAwait(false); // steady traffic before the kill
            var killed = Stopwatch.GetTimestamp();
            cluster.Kill(victim);
            // Traffic until acknowledgements have flowed again for 2 s.
            while (true)
            {
                await Task.Delay(200).ConfigureAwait(false);
                var last = acks.LastOrDefault();
                if (last > killed && Stopwatch.GetElapsedTime(FirstAckAfter(acks, killed)).TotalSeconds > 2)
                {
                    break;
                }
                if (Stopwatch.GetElapsedTime(killed).TotalSeconds > 120)
                {
                    Console.Error.WriteLine("failover: no acknowledgement within 120 s of the kill");
                    break;
                }
            }
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(agents).ConfigureAwait(false);
            var times = acks.Order().ToArray();
            var from = killed - Stopwatch.Frequency; // the gap that spans the kill
            var pause = times.Zip(times.Skip(1)).Where(p => p.Second >= from).Select(p => p.Second - p.First).DefaultIfEmpty(0).Max();
            var pauseS = pause / (double)Stopwatch.Frequency;
            var slowestS = slowest / (double)Stopwatch.Frequency;
            Console.WriteLine($"{kind,-10} {pauseS,15:F2} {slowestS,37:F2} {retries,8:N0}");
            rows.Add(new() { ["killed"] = kind, ["pause_s"] = pauseS, ["slowest_s"] = slowestS, ["retries"] = retries });
            await cluster.RestartAsync(victim).ConfigureAwait(false);
        }
        return rows;
    }

    /// <summary>
    /// The floor for the failover pause, in the same run: four publishers straight to the stream through the NATS client
    /// (each retrying the same Nats-Msg-Id after a 2 s wait for its ack, as the JetStream log does), the leader killed.
    /// </summary>
    private static async Task<List<Dictionary<string, object>>> RawFailoverAsync(NatsNodes cluster, int rounds)
    {
        var rows = new List<Dictionary<string, object>>();
        Console.WriteLine("\nfailover floor: 4 publishers straight to an R3 stream (no Pulseboard), each retrying the same Nats-Msg-Id");
        Console.WriteLine($"{"killed",-10} {"no ack for (s)",15}");
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = cluster.Urls });
        var js = new NatsJSContext(connection);
        await cluster.CreateStreamAsync(js, "RAWFAILOVER", "rawfailover.>", 3).ConfigureAwait(false);
        for (var round = 0; round < rounds; round++)
        {
            var leader = await NatsNodes.StreamLeaderAsync(js, "RAWFAILOVER", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            using var stop = new CancellationTokenSource();
            var acks = new System.Collections.Concurrent.ConcurrentQueue<long>();
            var publishers = Enumerable.Range(0, 4).Select(a => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var opts = new NatsJSPubOpts { MsgId = $"r{round}-{a}-{n}" };
                    while (true)
                    {
                        using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        try
                        {
                            var ack = await js.PublishAsync("rawfailover.x", "x"u8.ToArray(), opts: opts, cancellationToken: attempt.Token).ConfigureAwait(false);
                            if (ack.Error is null)
                            {
                                break;
                            }
                        }
                        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
                        {
                        }
                        await Task.Delay(250).ConfigureAwait(false);
                    }
                    acks.Enqueue(Stopwatch.GetTimestamp());
                }
            })).ToArray();
            await Task.Delay(2000).ConfigureAwait(false); // steady traffic before the kill
            var killed = Stopwatch.GetTimestamp();
            cluster.Kill(leader);
            while (Stopwatch.GetElapsedTime(FirstAckAfter(acks, killed)).TotalSeconds <= 2 && Stopwatch.GetElapsedTime(killed).TotalSeconds < 120)
            {
                await Task.Delay(200).ConfigureAwait(false);
            }
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(publishers).ConfigureAwait(false);
            var times = acks.Order().ToArray();
            var from = killed - Stopwatch.Frequency;
            var pause = times.Zip(times.Skip(1)).Where(p => p.Second >= from).Select(p => p.Second - p.First).DefaultIfEmpty(0).Max() / (double)Stopwatch.Frequency;
            Console.WriteLine($"{"leader",-10} {pause,15:F2}");
            rows.Add(new() { ["killed"] = "leader", ["pause_s"] = pause });
            await cluster.RestartAsync(leader).ConfigureAwait(false);
        }
        await js.DeleteStreamAsync("RAWFAILOVER").ConfigureAwait(false);
        return rows;
    }

    private static long FirstAckAfter(System.Collections.Concurrent.ConcurrentQueue<long> acks, long after) =>
        acks.Where(t => t > after).DefaultIfEmpty(long.MaxValue).Min();

    private static void InterlockedMax(ref long field, long value)
    {
        var seen = Volatile.Read(ref field);
        while (value > seen && Interlocked.CompareExchange(ref field, value, seen) is var was && was != seen)
        {
            seen = was;
        }
    }
}
