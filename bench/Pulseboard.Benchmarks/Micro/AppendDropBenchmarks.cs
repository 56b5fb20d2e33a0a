using BenchmarkDotNet.Attributes;
using Pulseboard.Client;

namespace Pulseboard.Benchmarks.Micro;

/// <summary>
/// What <see cref="PulseboardClient.Append"/> costs when the queue is full and the event is dropped and counted:
/// the transport never answers, so the queue fills at once and stays full.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class AppendDropBenchmarks
{
    private StalledTransport _transport = null!;
    private PulseboardClient _client = null!;
    private Event _event = null!;

    [GlobalSetup]
    public void Setup()
    {
        _event = SampleEvents.Create(7);
        _transport = new StalledTransport();
        _client = new PulseboardClient(_transport, new PulseboardClientOptions { QueueCapacity = 16, MaxBatch = 16 });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _transport.Release();
        _client.Dispose();
        Console.WriteLine($"// AppendWhenFull: delivered {_client.Delivered:N0}, dropped {_client.Dropped:N0}");
    }

    [Benchmark]
    public bool AppendWhenFull() => _client.Append(_event);

    /// <summary>Holds the first batch until released, so the client's queue stays full.</summary>
    private sealed class StalledTransport : IEventTransport
    {
        private readonly TaskCompletionSource<IReadOnlyList<AppendOutcome>> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _answer.TrySetResult([]);

        public ValueTask<IReadOnlyList<AppendOutcome>> SendAsync(IReadOnlyList<Event> events, bool flushToDisk, CancellationToken cancellationToken) =>
            new(_answer.Task);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
