using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Pulseboard.Client;
using Pulseboard.Log;
using Pulseboard.Server;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Reliability;

/// <summary>
/// The data folder on a 3 MB tmpfs the test mounts: ingest answers 507 naming the cause, the SDK keeps returning at
/// once and spools, nothing acknowledged is lost, and once space is freed ingestion resumes without a restart.
/// </summary>
public sealed class FullDiskTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _mount = new();
    private readonly TempDirectory _spool = new();

    public void Dispose()
    {
        using (var umount = Process.Start("umount", [_mount.Path]))
        {
            umount?.WaitForExit();
        }
        _mount.Dispose();
        _spool.Dispose();
    }

    private static async Task<bool> RunAsync(string file, params string[] args)
    {
        try
        {
            var (code, _, _) = await Processes.RunAsync(file, args);
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_full_disk_is_a_507_the_sdk_spools_nothing_acknowledged_is_lost_and_ingest_resumes()
    {
        if (!await RunAsync("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", _mount.Path))
        {
            output.WriteLine("SKIPPED: cannot mount a tmpfs here (needs root); the full-disk test did not run.");
            return;
        }
        var filler = Path.Combine(_mount.Path, "filler");
        await File.WriteAllBytesAsync(filler, new byte[1024 * 1024]);
        var data = Path.Combine(_mount.Path, "data");
        await using var app = PulseboardServer.Build(new ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = data, DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        }, logging => logging.ClearProviders());
        await app.StartAsync();
        var url = PulseboardServer.Addresses(app)[0];
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        var pad = new string('x', 2_000);
        var acknowledged = new List<long>();
        HttpResponseMessage? full = null;
        for (var i = 0; i < 5_000 && full is null; i++)
        {
            var body = string.Join("\n", Enumerable.Range(0, 20).Select(k => $$$"""{"dashboard":"fill","section":"s","action":"a","id":"f{{{i}}}-{{{k}}}","content":"{{{pad}}}"}"""));
            var response = await http.PostAsync("/api/events?positions=true", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var answer = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                acknowledged.AddRange(answer.GetProperty("positions").EnumerateArray().Select(p => p.GetInt64()));
            }
            else
            {
                full = response;
            }
        }
        Assert.NotNull(full);
        Assert.Equal(HttpStatusCode.InsufficientStorage, full.StatusCode);
        Assert.Contains("No space left on device", await full.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Fill what is left with single small events, until even those are refused.
        for (var i = 0; i < 20_000; i++)
        {
            var response = await http.PostAsync("/api/events?positions=true", new StringContent($$$"""{"dashboard":"fill","section":"s","action":"a","id":"s{{{i}}}"}""", Encoding.UTF8, "application/json"));
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
                break;
            }
            var answer = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            acknowledged.AddRange(answer.GetProperty("positions").EnumerateArray().Select(p => p.GetInt64()));
        }
        output.WriteLine($"{acknowledged.Count} events acknowledged before the disk filled");

        // The SDK on a full server: Append returns at once, the batch goes to the spool instead of being lost.
        var client = new PulseboardClient(new HttpTransport(new HttpTransportOptions
        {
            Server = new Uri(url), SpoolDirectory = _spool.Path, MaxAttempts = 1, FirstBackoff = TimeSpan.FromMilliseconds(1),
        }));
        Assert.True(client.Append(Sample.Make(1)));
        var spooled = await client.AppendAsync(Sample.Make(2));
        Assert.True(spooled.Spooled);

        File.Delete(filler); // space is back; no restart
        var resumed = await http.PostAsync("/api/events", new StringContent("""{"dashboard":"fill","section":"s","action":"after"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        Assert.True((await client.AppendAsync(Sample.Make(3))).Stored); // behind the spooled two: sent, or spooled after them
        await client.DisposeAsync();
        Assert.Equal(0, client.Failed);
        // Whatever the client's backoff left in the spool when it closed is there for the next process (as an agent's
        // restart finds it): sending it now puts all three in the log. Which of the two happened depends on timing;
        // that none is lost does not.
        await using (var next = new HttpTransport(new HttpTransportOptions { Server = new Uri(url), SpoolDirectory = _spool.Path }))
        {
            Assert.True(await next.SendSpoolAsync());
        }
        await app.StopAsync();
        await app.DisposeAsync(); // releases the log's lock, so it can be read below

        await using var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data, Retention = null });
        using var cursor = log.OpenCursor(1);
        var records = new List<LogRecord>();
        while (cursor.Read(records, 1000) > 0)
        {
        }
        var seqs = records.Select(r => r.Seq).ToHashSet();
        Assert.All(acknowledged, seq => Assert.Contains(seq, seqs));
        Assert.Equal(3, records.Select(r => r.ToEvent()).Count(e => e.Dashboard == "costs")); // the SDK's three events, spooled ones included
    }
}
