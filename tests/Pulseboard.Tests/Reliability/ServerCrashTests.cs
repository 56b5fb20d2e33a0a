using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Tests.Projection;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Reliability;

/// <summary>
/// A real server process takes events from four concurrent clients that record every acknowledgement, and is killed
/// with SIGKILL at random moments, round after round, on the same data. Afterwards every acknowledged event is in the
/// log once, at the seq it was acknowledged with, in each client's order; the log reads whole; and the caches equal a
/// clean rebuild.
/// </summary>
public sealed class ServerCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static string Dashboards => Path.Combine(Repo.Root, "dashboards");

    [Fact]
    public async Task Every_acknowledged_event_survives_kill_9_of_the_server()
    {
        var port = TestServer.FreePort();
        var random = new Random(9);
        var acks = new ConcurrentDictionary<string, long>();
        var order = Enumerable.Range(0, 4).Select(_ => new ConcurrentQueue<long>()).ToArray();
        var next = new int[4];
        var rounds = Scale.Pick(ci: 6, longRun: 30);
        for (var round = 0; round < rounds; round++)
        {
            using var server = await ServerProcess.StartAsync(_data.Path, port);
            var killAt = acks.Count + random.Next(100, 600);
            var killed = 0;
            using var http = new HttpClient { BaseAddress = server.Url };
            var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
            {
                while (true)
                {
                    var id = $"c{c}-{next[c]}";
                    // Heartbeats and completed tasks: the sample dashboards' "*" sections take them, so the caches reflect every one.
                    var action = next[c] % 2 == 0 ? "heartbeat" : "task_completed";
                    var body = $$$"""{"dashboard":"crash","section":"c{{{c}}}","action":"{{{action}}}","source":"client-{{{c}}}","id":"{{{id}}}","content":{"n":{{{next[c]}}},"title":"t{{{next[c]}}}"}}""";
                    try
                    {
                        using var response = await http.PostAsync("/api/events?positions=true", new StringContent(body, Encoding.UTF8, "application/json"));
                        var seq = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("positions")[0].GetInt64();
                        acks[id] = seq;
                        order[c].Enqueue(seq);
                        next[c]++;
                        if (acks.Count >= killAt && Interlocked.Exchange(ref killed, 1) == 0)
                        {
                            server.Kill(); // SIGKILL, at a random count of acknowledgements, while all four clients send
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server died: what was not acknowledged may or may not be stored
                    }
                }
            })).ToArray();
            await Task.WhenAll(clients).WaitAsync(TimeSpan.FromMinutes(2));
            await server.WaitForExitAsync(TimeSpan.FromMinutes(1));
            output.WriteLine($"round {round}: killed after {acks.Count} acknowledged events in all");
        }

        // A last, clean run lets the projector catch up, then stops gracefully.
        using (var last = await ServerProcess.StartAsync(_data.Path, port))
        using (var http = new HttpClient { BaseAddress = last.Url })
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while (!(await http.GetStringAsync("/metrics", bound.Token)).Contains("pulseboard_projector_lag_events 0\n", StringComparison.Ordinal))
            {
                await Task.Yield();
            }
            await last.StopAsync(); // SIGTERM
        }

        await using (var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = _data.Path, Retention = null }))
        {
            using var cursor = log.OpenCursor(1);
            var records = new List<LogRecord>();
            while (cursor.Read(records, 1000) > 0)
            {
            }
            var stored = records.Select(r => (r.Seq, Event: r.ToEvent())).ToList(); // every line reads whole
            Assert.Equal(stored.Count, stored.Select(s => s.Event.Id).Distinct().Count());
            var bySeq = stored.ToDictionary(s => s.Seq, s => s.Event.Id);
            foreach (var (id, seq) in acks)
            {
                Assert.True(bySeq.TryGetValue(seq, out var storedId) && storedId == id, $"acknowledged {id} at seq {seq} is not there");
            }
            foreach (var queue in order)
            {
                var seqs = queue.ToArray();
                Assert.Equal(seqs.Order(), seqs); // in the order each client was acknowledged
            }
            output.WriteLine($"{rounds} rounds killed with SIGKILL: {acks.Count} acknowledged, {stored.Count} stored");
        }

        var survived = CacheFolder.Read(_data.Path);
        using var clean = new TempDirectory();
        ProjectorTests.CopyLog(_data.Path, clean.Path);
        await using (var reader = new FileEventLogReader(clean.Path))
        {
            using var projector = Projector.Open(new ProjectorOptions { DataDirectory = clean.Path, DashboardsDirectory = Dashboards, FsyncCaches = false }, reader);
            while (projector.RunOnce(reader).Position < reader.End)
            {
            }
        }
        Assert.Equal(ProjectorTests.WithoutGenerated(CacheFolder.Read(clean.Path)), ProjectorTests.WithoutGenerated(survived));
    }

}
