using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
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
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Counts the requests the transport makes; passes them to the network, or answers them by <see cref="Script"/>.</summary>
    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public Func<HttpRequestMessage, Task<HttpResponseMessage>>? Script { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return Script is { } script ? script(request) : base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A transport whose backoff runs on <paramref name="time"/>: one attempt per delivery, a first backoff of 1 s.</summary>
    private HttpTransport Transport(int port, FakeTimeProvider time, CountingHandler handler) => new(new HttpTransportOptions
    {
        Server = new Uri($"http://127.0.0.1:{port}"),
        SpoolDirectory = _spool.Path,
        MaxAttempts = 1,
        FirstBackoff = TimeSpan.FromSeconds(1),
        TimeProvider = time,
        Handler = handler,
    });

    [Fact]
    public async Task While_the_server_is_down_batches_go_to_the_spool_without_a_request_or_a_read_of_it()
    {
        var time = new FakeTimeProvider();
        using var handler = new CountingHandler();
        var transport = Transport(TestServer.FreePort(), time, handler); // nothing listens there
        await using var client = new PulseboardClient(transport, new PulseboardClientOptions { QueueCapacity = 100, MaxBatch = 10 });
        Assert.True((await client.AppendAsync(Sample.Make(0)).WaitAsync(Bound)).Spooled); // a failed delivery: down from now on
        Assert.Equal(1, handler.Requests);
        for (var round = 0; round < 5; round++) // 450 events through a queue of 100, 45 batches
        {
            for (var i = 0; i < 90; i++)
            {
                Assert.True(client.Append(Sample.Make(1 + (round * 90) + i)));
            }
            await client.FlushAsync().WaitAsync(Bound);
        }
        Assert.Equal(0, client.Dropped);
        Assert.Equal(1, handler.Requests); // no attempt before the backoff expires
        Assert.Equal(0, transport.SpoolBytesRead); // the spool is appended to, never read back per batch
        Assert.Equal(451, File.ReadAllLines(Path.Combine(_spool.Path, "spool.ndjson")).Length);
    }

    [Fact]
    public async Task Once_the_backoff_expires_the_writer_drains_the_spool_oldest_first_and_reports_what_the_server_rejects()
    {
        var time = new FakeTimeProvider();
        var port = TestServer.FreePort();
        using var handler = new CountingHandler();
        var errors = new ConcurrentQueue<Exception>();
        var transport = Transport(port, time, handler);
        await using (var client = new PulseboardClient(transport, new PulseboardClientOptions { MaxBatch = 10, OnError = errors.Enqueue }))
        {
            Assert.True((await client.AppendAsync(Sample.Make(0)).WaitAsync(Bound)).Spooled);
            for (var i = 1; i < 100; i++)
            {
                Assert.True(client.Append(Sample.Make(i, pad: i == 42 ? 70_000 : 0))); // the server refuses 42: over 64 KiB
            }
            await client.FlushAsync().WaitAsync(Bound);
            Assert.Empty(errors); // spooled: the server has not seen them yet
            var spooled = transport.SpooledBytes;

            await using var app = Server(port);
            await app.StartAsync();
            time.Advance(TimeSpan.FromSeconds(1)); // the backoff expires: the writer drains, no new event needed
            await client.FlushAsync().WaitAsync(Bound);
            Assert.Equal(0, transport.SpooledBytes);
            Assert.Equal(spooled, transport.SpoolBytesRead); // read once, to be sent
            var rejected = Assert.IsType<EventValidationException>(Assert.Single(errors));
            Assert.StartsWith("event: ", rejected.Message, StringComparison.Ordinal);
            Assert.Equal(1, client.Rejected);

            Assert.Equal(AppendOutcome.At(100), await client.AppendAsync(Sample.Make(100)).WaitAsync(Bound)); // behind the 99 stored
            await app.StopAsync();
        }
        Assert.Equal(Enumerable.Range(0, 101).Where(n => n != 42), (await StoredAsync(_data.Path)).Select(e => e.N()));
    }

    [Fact]
    public async Task A_spooled_batch_the_server_refuses_as_a_whole_reaches_the_listener()
    {
        var time = new FakeTimeProvider();
        using var handler = new CountingHandler();
        var errors = new ConcurrentQueue<Exception>();
        var transport = Transport(TestServer.FreePort(), time, handler);
        await using var client = new PulseboardClient(transport, new PulseboardClientOptions { MaxBatch = 10, OnError = errors.Enqueue });
        handler.Script = _ => throw new HttpRequestException("Connection refused (simulated)");
        Assert.True((await client.AppendAsync(Sample.Make(0)).WaitAsync(Bound)).Spooled);
        for (var i = 1; i < 10; i++)
        {
            client.Append(Sample.Make(i));
        }
        await client.FlushAsync().WaitAsync(Bound);

        // Back, but the token was revoked meanwhile: the spooled events are refused for good; later ones are taken.
        var answered = 0;
        handler.Script = async request =>
        {
            if (Interlocked.Increment(ref answered) == 1)
            {
                return new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("token revoked") };
            }
            var lines = (await request.Content!.ReadAsStringAsync()).Count(c => c == '\n');
            var positions = string.Join(",", Enumerable.Range(1, lines));
            return new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new StringContent($$"""{"accepted":{{lines}},"positions":[{{positions}}]}""", Encoding.UTF8, "application/json") };
        };
        time.Advance(TimeSpan.FromSeconds(1));
        await client.FlushAsync().WaitAsync(Bound);
        Assert.Equal(0, transport.SpooledBytes);
        var refused = Assert.IsType<HttpTransportException>(Assert.Single(errors));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal(10, client.Failed);
        Assert.Equal(AppendOutcome.At(1), await client.AppendAsync(Sample.Make(10)).WaitAsync(Bound));
        Assert.Single(errors);
    }
}
