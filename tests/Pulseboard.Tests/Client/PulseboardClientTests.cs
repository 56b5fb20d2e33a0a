using System.Collections.Concurrent;
using Pulseboard.Client;
using Pulseboard.Log;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Client;

public sealed class PulseboardClientTests
{
    /// <summary>A transport that records batches and can be stalled until released.</summary>
    private sealed class RecordingTransport : IEventTransport
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _next;

        public RecordingTransport(bool stalled) => Stalled = stalled;

        public bool Stalled { get; }

        public ConcurrentQueue<Event> Received { get; } = new();

        public TaskCompletionSource<int> FirstBatch { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Disposed { get; private set; }

        public void Release() => _release.TrySetResult();

        public async ValueTask<IReadOnlyList<AppendOutcome>> SendAsync(IReadOnlyList<Event> events, bool flushToDisk, CancellationToken cancellationToken)
        {
            FirstBatch.TrySetResult(events.Count);
            if (Stalled)
            {
                await _release.Task;
            }
            foreach (var e in events)
            {
                Received.Enqueue(e);
            }
            return events.Select(_ => AppendOutcome.At(++_next)).ToArray();
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Append_never_blocks_on_a_stalled_transport_and_counts_what_it_drops()
    {
        var transport = new RecordingTransport(stalled: true);
        var client = new PulseboardClient(transport, new PulseboardClientOptions { QueueCapacity = 100, MaxBatch = 10 });
        for (var i = 0; i < 10; i++)
        {
            Assert.True(client.Append(Sample.Make(i)));
        }
        var inFlight = await transport.FirstBatch.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The writer holds one batch inside the stalled transport; the queue holds the rest, up to its capacity.
        var accepted = await Task.Run(() => Enumerable.Range(10, 1000).Count(i => client.Append(Sample.Make(i)))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(100 - (10 - inFlight), accepted);
        Assert.Equal(1000 - accepted, client.Dropped);
        transport.Release();
        await client.DisposeAsync();
        Assert.Equal(10 + accepted, client.Delivered);
        Assert.Equal(Enumerable.Range(0, 10 + accepted), transport.Received.Select(e => e.N()));
        Assert.True(transport.Disposed);
    }

    [Fact]
    public async Task Dispose_drains_everything_queued()
    {
        var transport = new RecordingTransport(stalled: false);
        var client = new PulseboardClient(transport, new PulseboardClientOptions { MaxBatch = 7 });
        for (var i = 0; i < 500; i++)
        {
            client.Append(Sample.Make(i));
        }
        await client.DisposeAsync();
        await client.DisposeAsync(); // idempotent
        Assert.Equal(Enumerable.Range(0, 500), transport.Received.Select(e => e.N()));
        Assert.False(client.Append(Sample.Make(500)));
        Assert.Equal(1, client.Dropped);
    }

    [Fact]
    public async Task Items_in_equal_items_out_under_contention()
    {
        var transport = new RecordingTransport(stalled: false);
        var client = new PulseboardClient(transport, new PulseboardClientOptions { QueueCapacity = 1000, MaxBatch = 64 });
        var accepted = await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            Enumerable.Range(0, 50_000).Count(i => client.Append(Sample.Make(t * 100_000 + i))))));
        await client.DisposeAsync();
        Assert.Equal(accepted.Sum(), transport.Received.Count);
        Assert.Equal(200_000 - accepted.Sum(), client.Dropped);
        Assert.Equal(accepted.Sum(), client.Delivered);
    }

    [Fact]
    public async Task Invalid_events_are_refused_counted_and_reported_never_thrown()
    {
        var errors = new ConcurrentQueue<Exception>();
        await using var client = new PulseboardClient(new RecordingTransport(stalled: false), new PulseboardClientOptions { OnError = errors.Enqueue });
        Assert.False(client.Append(new Event { Dashboard = "Bad Id", Section = "s", Action = "a" }));
        Assert.False(client.Append(null!));
        Assert.Equal(2, client.Invalid);
        var error = Assert.IsType<EventValidationException>(errors.First());
        Assert.Equal("dashboard", error.Error.Field);
        var outcome = await client.AppendAsync(new Event { Dashboard = "ok", Section = "s", Action = "no spaces" });
        Assert.Equal("action", outcome.Error!.Field);
    }

    [Fact]
    public async Task AppendAsync_and_FlushAsync_go_through_the_local_log()
    {
        using var data = new TempDirectory();
        var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data.Path });
        await using (var client = new PulseboardClient(new LocalLogTransport(log)))
        {
            client.Append(Sample.Make(0));
            var outcome = await client.AppendAsync(Sample.Make(1, id: "k"), durable: true);
            Assert.Equal(AppendOutcome.At(2), outcome);
            Assert.Equal(AppendOutcome.DuplicateOf(2), await client.AppendAsync(Sample.Make(2, id: "k")));
            client.Append(Sample.Make(3));
            await client.FlushAsync();
            Assert.Equal(3, log.End);
        }
        await using var reader = new FileEventLogReader(data.Path);
        Assert.Equal(3, reader.End);
    }

    [Fact]
    public async Task A_failing_transport_reaches_the_listener_and_the_counter()
    {
        var errors = new ConcurrentQueue<Exception>();
        using var data = new TempDirectory();
        var storage = new Log.FaultyStorage();
        var log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data.Path, Storage = storage });
        storage.FailWrites = true; // after the open, which now writes format.json through the same storage
        await using var client = new PulseboardClient(new LocalLogTransport(log), new PulseboardClientOptions { OnError = errors.Enqueue });
        client.Append(Sample.Make(0));
        await client.FlushAsync();
        Assert.Equal(1, client.Failed);
        Assert.IsType<LogWriteException>(Assert.Single(errors));
    }

    /// <summary>A transport that rejects every event whose <c>n</c> is odd and records the rest.</summary>
    private sealed class OddRejectingTransport : IEventTransport
    {
        private long _next;

        public ConcurrentQueue<Event> Received { get; } = new();

        public ValueTask<IReadOnlyList<AppendOutcome>> SendAsync(IReadOnlyList<Event> events, bool flushToDisk, CancellationToken cancellationToken)
        {
            var outcomes = new AppendOutcome[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i].N() % 2 == 1)
                {
                    outcomes[i] = AppendOutcome.Rejected(new EventError("content", "event: odd"));
                }
                else
                {
                    Received.Enqueue(events[i]);
                    outcomes[i] = AppendOutcome.At(++_next);
                }
            }
            return ValueTask.FromResult<IReadOnlyList<AppendOutcome>>(outcomes);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_throwing_listener_never_reaches_the_caller_of_Append()
    {
        var calls = 0;
        await using var client = new PulseboardClient(new RecordingTransport(stalled: false), new PulseboardClientOptions
        {
            OnError = _ =>
            {
                Interlocked.Increment(ref calls);
                throw new InvalidOperationException("the listener is broken");
            },
        });
        var appended = true;
        var thrown = Record.Exception(() => appended = client.Append(new Event { Dashboard = "Bad Id", Section = "s", Action = "a" }));
        Assert.Null(thrown);
        Assert.False(appended);
        Assert.Equal(1, client.Invalid);
        Assert.Equal(1, calls);
        Assert.Equal(1, client.ListenerFailures);
    }

    [Fact]
    public async Task A_throwing_listener_does_not_stop_the_writer()
    {
        var transport = new OddRejectingTransport();
        var calls = 0;
        var client = new PulseboardClient(transport, new PulseboardClientOptions
        {
            MaxBatch = 4,
            QueueCapacity = 1000,
            OnError = _ =>
            {
                Interlocked.Increment(ref calls);
                throw new InvalidOperationException("the listener is broken");
            },
        });
        // The first batch holds a rejection, so the listener throws on the writer before anything after it is sent.
        for (var i = 0; i < 100; i++)
        {
            Assert.True(client.Append(Sample.Make(i)));
        }
        await client.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var outcome = await client.AppendAsync(Sample.Make(100)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(outcome.Stored);
        for (var i = 101; i < 1100; i++) // more than the queue holds in all: only a live writer makes room
        {
            Assert.True(client.Append(Sample.Make(i)));
            if (i % 500 == 0)
            {
                await client.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 550).Select(n => 2 * n), transport.Received.Select(e => e.N()));
        Assert.Equal(0, client.Dropped);
        Assert.Equal(550, client.Rejected);
        Assert.Equal(client.Rejected, calls);
        Assert.Equal(client.Rejected, client.ListenerFailures);
    }
}
