using BenchmarkDotNet.Attributes;
using Pulseboard.Client;

namespace Pulseboard.Benchmarks.Micro;

/// <summary>
/// What an agent pays for <see cref="PulseboardClient.Append"/> of an event that is queued: the contract check and
/// the queue, with a transport that answers at once.
/// </summary>
/// <remarks>
/// A tight loop outruns the background writer, and a full queue drops instead (see <see cref="AppendDropBenchmarks"/>).
/// So each iteration is a fixed number of calls into a queue with room for all of them, drained before the next.
/// The queue keeps the capacity it grew to, so after warm-up the allocation column is the call's own.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8, invocationCount: CallsPerIteration)]
public class AppendBenchmarks
{
    private const int CallsPerIteration = 1 << 20;
    private PulseboardClient _client = null!;
    private Event _event = null!;

    [GlobalSetup]
    public void Setup()
    {
        _event = SampleEvents.Create(7);
        var options = new PulseboardClientOptions { QueueCapacity = 4 * CallsPerIteration };
        _client = new PulseboardClient(new SinkTransport(options.MaxBatch), options);
    }

    [IterationSetup]
    public void Drain() => _client.FlushAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        Console.WriteLine($"// Append: delivered {_client.Delivered:N0}, dropped {_client.Dropped:N0}");
    }

    [Benchmark]
    public bool Append() => _client.Append(_event);
}
