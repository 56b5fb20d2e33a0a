using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Pulseboard.Log;
using Pulseboard.Log.JetStream;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>
/// Three NATS servers, an R3 stream, two <c>pulseboard serve</c> nodes under concurrent load; the stream's leader and
/// then a Pulseboard node are SIGKILLed mid-load. Nothing acknowledged is lost or stored twice, the seqs stay gap-free,
/// and both nodes' caches equal a clean rebuild of the stream.
/// </summary>
public sealed class JetStreamClusterTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int Writers = 4;
    private const int BatchSize = 10;
    private readonly TempDirectory _a = new();
    private readonly TempDirectory _b = new();
    private readonly TempDirectory _rebuilt = new();

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _rebuilt.Dispose();
    }

    [Fact]
    public async Task Killing_the_stream_leader_and_a_node_mid_load_loses_nothing_acknowledged()
    {
        await using var cluster = await NatsClusterProcess.StartAsync();
        var (portA, portB) = (TestServer.FreePort(), TestServer.FreePort());
        // No --replicas: three servers in the cluster make the new stream R3.
        using var a = await ServerProcess.StartAsync(_a.Path, portA, extra: ["--log", cluster.Urls]);
        var b = await ServerProcess.StartAsync(_b.Path, portB, extra: ["--log", cluster.Urls]);
        try
        {
            await using var connection = new NatsConnection(NatsOpts.Default with { Url = cluster.Urls });
            var js = new NatsJSContext(connection);
            var stream = await js.GetStreamAsync("PULSEBOARD");
            Assert.Equal(3, stream.Info.Config.NumReplicas);

            var load = new Load([a.Url, b.Url]);
            var writers = Enumerable.Range(0, Writers).Select(load.WriteAsync).ToArray();
            try
            {
                await load.WaitForAsync(200);
                await stream.RefreshAsync();
                var leader = cluster.IndexOf(stream.Info.Cluster?.Leader);
                Assert.True(leader >= 0, $"no stream leader named: {stream.Info.Cluster?.Leader}");
                await cluster.KillAsync(leader);
                await load.WaitForAsync(load.Acknowledged + 200);

                b.Kill();
                await b.WaitForExitAsync(TimeSpan.FromSeconds(30));
                await load.WaitForAsync(load.Acknowledged + 200); // on node a alone
                await cluster.RestartAsync(leader);
                b.Dispose();
                b = await ServerProcess.StartAsync(_b.Path, portB, extra: ["--log", cluster.Urls]);
                await load.WaitForAsync(load.Acknowledged + 200);
            }
            finally
            {
                load.Stop();
                await Task.WhenAll(writers);
            }

            await stream.RefreshAsync();
            var state = stream.Info.State;
            // What clients saw, for docs/SCALING.md (reported, never asserted: this machine's timings are noise).
            output.WriteLine($"acknowledged {load.Acknowledged} events; stream seqs {state.FirstSeq}..{state.LastSeq}; {load.Retries} batches sent again after a non-202 or no answer; longest time without an acknowledgement {load.LongestPause.TotalSeconds:F1} s");
            Assert.Equal(1UL, state.FirstSeq);
            Assert.Equal(state.LastSeq - state.FirstSeq + 1, (ulong)state.Messages);
            var stored = await StoredIdsAsync(cluster.Urls, (long)state.LastSeq);
            var twice = stored.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"stored more than once: {string.Join(", ", twice.Take(10))}");
            var lost = load.AcknowledgedIds.Except(stored).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} acknowledged ids are not in the stream: {string.Join(", ", lost.Take(10))}");

            var rebuild = await Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), "rebuild", "costs",
                "--data", _rebuilt.Path, "--dashboards", Path.Combine(Repo.Root, "dashboards"), "--log", cluster.Urls]);
            Assert.True(rebuild.Code == 0, rebuild.Stderr);
            var expected = WithoutGenerated(File.ReadAllText(Path.Combine(_rebuilt.Path, "caches", "costs.json")));
            foreach (var node in new[] { a, b })
            {
                var cache = await node.CacheAtAsync("costs", (long)state.LastSeq);
                Assert.Equal(expected, WithoutGenerated(cache));
            }
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\nnode a:\n{a.Tail}\nnode b:\n{b.Tail}\n{cluster.Log}", ex);
        }
        finally
        {
            b.Dispose();
        }
    }

    /// <summary>Every event's id in the stream, seq 1 to <paramref name="last"/>, read through the log itself.</summary>
    private static async Task<List<string>> StoredIdsAsync(string urls, long last)
    {
        await using var log = await JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions { Urls = urls });
        using var cursor = log.OpenCursor(1);
        var records = new List<LogRecord>();
        while (records.Count < last)
        {
            if (cursor.Read(records, 1000) == 0)
            {
                break;
            }
        }
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), records.Select(r => r.Seq));
        return records.Select(r => r.ToEvent().Id!).ToList();
    }

    private static string WithoutGenerated(string cache)
    {
        var node = JsonNode.Parse(cache)!.AsObject();
        node.Remove("generated");
        return node.ToJsonString();
    }

    /// <summary>
    /// Writers posting batches of ids to the nodes in turn; a batch that gets anything but 202 (503, a refused
    /// connection, a timeout) is sent again with the same ids to the other node, until acknowledged (bounded: a
    /// minute per batch). Only a 202 counts its ids as acknowledged.
    /// </summary>
    private sealed class Load(Uri[] nodes)
    {
        private readonly ConcurrentBag<string> _acknowledged = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };
        private int _count;
        private int _retries;
        private long _lastAck = System.Diagnostics.Stopwatch.GetTimestamp();
        private long _longestPause;

        public int Retries => Volatile.Read(ref _retries);

        public TimeSpan LongestPause => TimeSpan.FromTicks(Interlocked.Read(ref _longestPause));

        public int Acknowledged => Volatile.Read(ref _count);

        public IEnumerable<string> AcknowledgedIds => _acknowledged;

        public void Stop() => _stop.Cancel();

        /// <summary>Until <paramref name="count"/> events were acknowledged (bounded: a minute).</summary>
        public async Task WaitForAsync(int count)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (Acknowledged < count)
            {
                if (bound.IsCancellationRequested)
                {
                    throw new TimeoutException($"only {Acknowledged} of {count} events were acknowledged within a minute");
                }
                await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None); // a poll interval, not a wait for time to pass
            }
        }

        public async Task WriteAsync(int writer)
        {
            for (var batch = 0; !_stop.IsCancellationRequested; batch++)
            {
                var ids = Enumerable.Range(0, BatchSize).Select(i => $"w{writer}-b{batch}-{i}").ToArray();
                var body = "[" + string.Join(',', ids.Select((id, i) => $$$"""{"dashboard":"costs","section":"spend","action":"spent","id":"{{{id}}}","content":{"usd":{{{i + 1}}}}}""")) + "]";
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                for (var attempt = writer + batch; ; attempt++)
                {
                    if (bound.IsCancellationRequested)
                    {
                        throw new TimeoutException($"batch {batch} of writer {writer} was not acknowledged within a minute");
                    }
                    if (await PostAsync(nodes[attempt % nodes.Length], body))
                    {
                        foreach (var id in ids)
                        {
                            _acknowledged.Add(id);
                        }
                        Interlocked.Add(ref _count, ids.Length);
                        Acked();
                        break;
                    }
                    Interlocked.Increment(ref _retries);
                    await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None); // back off before the retry
                }
            }
        }

        private void Acked()
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            var pause = System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Exchange(ref _lastAck, now), now).Ticks;
            long seen;
            while (pause > (seen = Interlocked.Read(ref _longestPause)) && Interlocked.CompareExchange(ref _longestPause, pause, seen) != seen)
            {
            }
        }

        private async Task<bool> PostAsync(Uri node, string body)
        {
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(new Uri(node, "/api/events"), content);
                return response.StatusCode == HttpStatusCode.Accepted;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return false; // refused while the node is down, or no answer in time: the same ids again
            }
        }
    }
}
