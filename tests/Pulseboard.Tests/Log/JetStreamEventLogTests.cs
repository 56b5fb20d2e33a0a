using NATS.Client.Core;
using NATS.Client.JetStream;
using Pulseboard.Log;
using Pulseboard.Log.JetStream;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Log;

/// <summary>The log contract suite against a real nats-server with JetStream, one server per class, a fresh stream per test.</summary>
public sealed class JetStreamEventLogTests(NatsServerProcess nats) : EventLogContractTests, IClassFixture<NatsServerProcess>, IAsyncLifetime
{
    private const string Stream = "PULSEBOARD";

    protected override bool ReceivedIsTheClock => false;

    protected override IEventLog Open(TimeSpan? retention = null, long segmentBytes = 64L * 1024 * 1024) =>
        JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions
        {
            Urls = nats.Url,
            Stream = Stream,
            MaxAge = retention ?? TimeSpan.FromDays(7),
        }).GetAwaiter().GetResult();

    /// <summary>Each test starts from no stream.</summary>
    public Task InitializeAsync() => nats.DeleteStreamAsync(Stream);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_line_read_back_is_the_file_logs_layout_with_the_streams_time()
    {
        await using var log = Open();
        await log.AppendAsync([new Event
        {
            Dashboard = "costs", Section = "alerts", Action = "budget_warning", Priority = Priority.High, Source = "haiku", Id = "x1",
            Content = Event.ParseContent("""{"current":412}"""),
        }]);
        var record = Assert.Single(ReadAll(log));
        var line = System.Text.Encoding.UTF8.GetString(record.Line.Span);
        Assert.StartsWith("{\"seq\":1,\"received\":\"", line, StringComparison.Ordinal);
        Assert.EndsWith("""Z","id":"x1","dashboard":"costs","section":"alerts","action":"budget_warning","priority":"high","source":"haiku","content":{"current":412}}""", line, StringComparison.Ordinal);
        Assert.Equal(1, record.Seq);
    }

    [Fact]
    public async Task The_stream_is_one_append_only_stream_with_the_documented_limits()
    {
        await using (Open())
        {
        }
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url });
        var stream = await new NatsJSContext(connection).GetStreamAsync(Stream);
        var config = stream.Info.Config;
        Assert.Equal(["pulseboard.events.>"], config.Subjects);
        Assert.Equal(NATS.Client.JetStream.Models.StreamConfigStorage.File, config.Storage);
        Assert.True(config.DenyDelete);
        Assert.True(config.DenyPurge);
        Assert.Equal(TimeSpan.FromDays(7), config.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(10), config.DuplicateWindow);
    }

    [Fact]
    public async Task An_event_over_the_servers_max_payload_is_rejected_alone_with_what_to_change()
    {
        await using var log = await JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions { Urls = nats.Url, Stream = Stream, MaxEventBytes = 4 * 1024 * 1024 });
        var outcomes = await log.AppendAsync([Sample.Make(0), Sample.Make(1, pad: 1_100_000), Sample.Make(2)]);
        Assert.Equal([1L, 0, 2], outcomes.Select(o => o.Position));
        Assert.Contains("max_payload", outcomes[1].Error!.Message, StringComparison.Ordinal);
        Assert.Equal([0, 2], ReadAll(log).Select(r => r.ToEvent().N()));
    }

    [Fact]
    public async Task Max_age_moves_the_first_seq_and_later_seqs_never_change()
    {
        // Real time: the server ages events out by its own clock. The wait is on the condition, bounded.
        await using var log = await JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions
        {
            Urls = nats.Url, Stream = Stream, MaxAge = TimeSpan.FromSeconds(1), DuplicateWindow = TimeSpan.FromMilliseconds(500),
        });
        await log.AppendAsync([Sample.Make(0, id: "a"), Sample.Make(1), Sample.Make(2)]);
        using var cursor = log.OpenCursor(1);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await log.PurgeAsync(DateTimeOffset.MinValue, bound.Token)).Start <= 3)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), bound.Token); // a short pause, not a busy loop beside nats-server
        }
        var after = await log.AppendAsync([Sample.Make(3, id: "a")]);
        Assert.Equal([AppendOutcome.At(4)], after); // past the window an id is stored again
        Assert.Equal(4, log.Start);
        var records = new List<LogRecord>();
        Assert.Equal(1, cursor.Read(records, 10)); // the cursor skips what aged out
        Assert.Equal([4L], records.Select(r => r.Seq));
        Assert.Equal([3], records.Select(r => r.ToEvent().N()));
    }

    [Fact]
    public async Task A_large_batch_is_pipelined_in_order_and_read_back_in_batches()
    {
        await using var log = Open();
        var events = Enumerable.Range(0, 2500).Select(i => Sample.Make(i, id: i % 2 == 0 ? $"p{i}" : null)).ToList();
        events[1200] = new Event { Dashboard = "Bad", Section = "s", Action = "a" };
        var outcomes = await log.AppendAsync(events);
        Assert.NotNull(outcomes[1200].Error); // rejections stay per index
        Assert.Equal(Enumerable.Range(1, 2499).Select(i => (long)i), outcomes.Where(o => o.Stored).Select(o => o.Position));
        using var cursor = log.OpenCursor(1);
        var records = new List<LogRecord>();
        Assert.Equal(2499, cursor.Read(records, 4096)); // past several pulls of 1,000
        Assert.Equal(Enumerable.Range(1, 2499).Select(i => (long)i), records.Select(r => r.Seq));
        Assert.Equal(Enumerable.Range(0, 2500).Where(i => i != 1200), records.Select(r => r.ToEvent().N()));
        Assert.Equal(0, cursor.Read(records, 10));
    }

    [Fact]
    public async Task Another_nodes_append_wakes_a_waiting_reader()
    {
        await using var writer = Open();
        await using var reader = Open();
        // No safety-net poll within the test's bound: only the wake subscription can end the wait.
        ((JetStreamEventLog)reader).Poll = TimeSpan.FromHours(2);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var waiting = reader.WaitForAsync(0, bound.Token).AsTask();
        await writer.AppendAsync([Sample.Make(0)]);
        await waiting;
        Assert.Equal(1, reader.End);
    }

    [Fact]
    public async Task Opening_an_existing_stream_keeps_its_replicas_max_age_and_duplicate_window()
    {
        await using (await JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions { Urls = nats.Url, Stream = Stream, MaxAge = TimeSpan.FromDays(2), DuplicateWindow = TimeSpan.FromMinutes(1) }))
        {
        }
        // What `pulseboard tail` opens with: the defaults (7 days, 10 minutes), replicas not given.
        await using (Open())
        {
        }
        await using (await JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions { Urls = nats.Url, Stream = Stream, Replicas = 1 }))
        {
        }
        var config = await ConfigAsync();
        Assert.Equal(TimeSpan.FromDays(2), config.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(1), config.DuplicateWindow);
        Assert.Equal(1, config.NumReplicas);
    }

    [Fact]
    public async Task Replicas_asked_for_that_differ_from_the_streams_fail_with_how_to_change_them()
    {
        await using (Open())
        {
        }
        var error = await Assert.ThrowsAsync<LogWriteException>(() => JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions { Urls = nats.Url, Stream = Stream, Replicas = 3 }));
        Assert.Contains("has 1 replica, not the 3 asked for", error.Message, StringComparison.Ordinal);
        Assert.Contains($"nats stream edit {Stream} --replicas 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await ConfigAsync()).NumReplicas);
    }

    [Fact]
    public async Task An_append_the_stream_refuses_fails_at_once_without_RetryAfter_and_with_the_servers_reason()
    {
        await using (var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url }))
        {
            // Made by an operator before any node opened it: two messages at most, and new ones refused past that.
            await new NatsJSContext(connection).CreateStreamAsync(new NATS.Client.JetStream.Models.StreamConfig(Stream, ["pulseboard.events.>"])
            {
                MaxMsgs = 2,
                Discard = NATS.Client.JetStream.Models.StreamConfigDiscard.New,
            });
        }
        await using var log = Open();
        Assert.Equal([AppendOutcome.At(1), AppendOutcome.At(2)], await log.AppendAsync([Sample.Make(0), Sample.Make(1)]));
        var error = await Assert.ThrowsAsync<LogWriteException>(async () => await log.AppendAsync([Sample.Make(2, id: "full")]));
        Assert.Null(error.RetryAfter);
        Assert.False(error.Faulted);
        Assert.Contains("maximum messages", error.Message, StringComparison.Ordinal);
        Assert.Contains($"The stream {Stream}", error.Message, StringComparison.Ordinal);
    }

    private async Task<NATS.Client.JetStream.Models.StreamConfig> ConfigAsync()
    {
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url });
        return (await new NatsJSContext(connection).GetStreamAsync(Stream)).Info.Config;
    }

    [Fact]
    public async Task A_reader_waits_through_a_stream_that_does_not_answer_until_it_does()
    {
        await using var reader = Open();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await nats.KillAsync();
        try
        {
            // Back without JetStream: the client reconnects, and every stream request gets no responder.
            await nats.RestartAsync(jetStream: false);
            var waiting = reader.WaitForAsync(0, bound.Token).AsTask();
            var records = new List<LogRecord>();
            using var cursor = reader.OpenCursor(1);
            // A read says so; its request went after the wait's, so the wait has had its answer too: no throw (it used
            // to throw LogUnreachableException, and tail --follow died with a stack trace), it keeps waiting.
            Assert.Throws<LogUnreachableException>(() => cursor.Read(records, 10));
            Assert.False(waiting.IsCompleted, waiting.Exception?.ToString());
            await nats.KillAsync();
            await nats.RestartAsync();
            await using (var writer = Open())
            {
                await writer.AppendAsync([Sample.Make(0)]);
            }
            await waiting;
            Assert.Equal(1, reader.End);
        }
        finally
        {
            await nats.RestartIfKilledAsync();
        }
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_named_in_the_error()
    {
        var url = $"nats://127.0.0.1:{TestServer.FreePort()}";
        var error = await Assert.ThrowsAsync<LogWriteException>(() => JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions { Urls = url }));
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }
}
