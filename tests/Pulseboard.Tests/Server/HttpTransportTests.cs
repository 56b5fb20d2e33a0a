using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Pulseboard.Client;
using Pulseboard.Log;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>The SDK over HTTP against a real server on loopback: batches, positions, the disk spool across restarts.</summary>
public sealed class HttpTransportTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _spool = new();

    public void Dispose()
    {
        _data.Dispose();
        _spool.Dispose();
    }

    private WebApplication Server(int port) => PulseboardServer.Build(new ServerOptions
    {
        Urls = $"http://127.0.0.1:{port}",
        DataDirectory = _data.Path,
        DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
    }, logging => logging.ClearProviders());


    private PulseboardClient Client(int port, List<Exception>? errors = null) => new(
        new HttpTransport(new HttpTransportOptions
        {
            Server = new Uri($"http://127.0.0.1:{port}"),
            SpoolDirectory = _spool.Path,
            MaxAttempts = 2,
            FirstBackoff = TimeSpan.FromMilliseconds(1),
        }),
        new PulseboardClientOptions { OnError = e => errors?.Add(e) });

    private static async Task<List<Event>> StoredAsync(string data)
    {
        await using var reader = new FileEventLogReader(data);
        using var cursor = reader.OpenCursor(1);
        var records = new List<LogRecord>();
        while (cursor.Read(records, 1000) > 0)
        {
        }
        return records.Select(r => r.ToEvent()).ToList();
    }

    [Fact]
    public async Task Appends_reach_the_server_with_their_positions()
    {
        var port = TestServer.FreePort();
        await using var app = Server(port);
        await app.StartAsync();
        await using (var client = Client(port))
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.True(client.Append(Sample.Make(i)));
            }
            var outcome = await client.AppendAsync(Sample.Make(100), durable: true);
            Assert.Equal(AppendOutcome.At(101), outcome);
            var bad = await client.AppendAsync(Sample.Make(101, pad: 70_000));
            Assert.StartsWith("event: ", bad.Error!.Message, StringComparison.Ordinal);
            Assert.Equal(0, client.Failed);
        }
        await app.StopAsync();
        var stored = await StoredAsync(_data.Path);
        Assert.Equal(Enumerable.Range(0, 101), stored.Select(e => e.N()));
        Assert.All(stored, e => Assert.NotNull(e.Id)); // ids given by the transport make retries harmless
    }

    [Fact]
    public async Task Events_wait_in_the_spool_while_the_server_is_down_and_survive_the_agents_restart()
    {
        var port = TestServer.FreePort(); // nothing listens there yet
        await using (var client = Client(port))
        {
            for (var i = 0; i < 20; i++)
            {
                client.Append(Sample.Make(i));
            }
            var outcome = await client.AppendAsync(Sample.Make(20));
            Assert.True(outcome.Spooled);
            Assert.Equal(0, client.Failed);
        }
        Assert.True(new FileInfo(Path.Combine(_spool.Path, "spool.ndjson")).Length > 0);

        await using var app = Server(port);
        await app.StartAsync();
        await using (var restarted = Client(port)) // a new process of the agent, same spool folder
        {
            var outcome = await restarted.AppendAsync(Sample.Make(21));
            Assert.Equal(AppendOutcome.At(22), outcome); // the 21 spooled went first
        }
        await app.StopAsync();
        Assert.Equal(Enumerable.Range(0, 22), (await StoredAsync(_data.Path)).Select(e => e.N()));
        Assert.False(File.Exists(Path.Combine(_spool.Path, "spool.ndjson")));
    }

    [Fact]
    public async Task Without_a_spool_an_unreachable_server_is_a_counted_failure()
    {
        var errors = new List<Exception>();
        var client = new PulseboardClient(
            new HttpTransport(new HttpTransportOptions { Server = new Uri($"http://127.0.0.1:{TestServer.FreePort()}"), MaxAttempts = 1 }),
            new PulseboardClientOptions { OnError = errors.Add });
        client.Append(Sample.Make(0));
        await client.DisposeAsync();
        Assert.Equal(1, client.Failed);
        Assert.Contains("cannot be reached", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clients_drops_reach_the_servers_metrics()
    {
        var port = TestServer.FreePort();
        await using var app = Server(port);
        await app.StartAsync();
        await using (var client = new PulseboardClient(
            new HttpTransport(new HttpTransportOptions { Server = new Uri($"http://127.0.0.1:{port}"), ClientId = "agent-7" }),
            new PulseboardClientOptions { QueueCapacity = 2 }))
        {
            for (var i = 0; i < 500; i++)
            {
                client.Append(Sample.Make(i));
            }
            await client.AppendAsync(Sample.Make(500)); // this send carries the total so far; nothing is appended after it
            Assert.True(client.Dropped > 0);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var metrics = await http.GetStringAsync("/metrics");
            Assert.Contains($"pulseboard_client_dropped_events{{client=\"agent-7\"}} {client.Dropped}\n", metrics, StringComparison.Ordinal);
        }
        await app.StopAsync();
    }
}
