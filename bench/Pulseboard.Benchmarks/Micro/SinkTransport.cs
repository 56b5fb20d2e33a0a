using Pulseboard.Client;

namespace Pulseboard.Benchmarks.Micro;

/// <summary>A transport that stores nothing and answers every batch at once, without allocating.</summary>
internal sealed class SinkTransport : IEventTransport
{
    private readonly AppendOutcome[] _outcomes;
    private readonly ValueTask<IReadOnlyList<AppendOutcome>> _answer;

    public SinkTransport(int maxBatch)
    {
        // The client reads one outcome per event of the batch, so one array of MaxBatch answers every batch.
        _outcomes = Enumerable.Repeat(AppendOutcome.At(1), maxBatch).ToArray();
        _answer = new ValueTask<IReadOnlyList<AppendOutcome>>(_outcomes);
    }

    public long Events { get; private set; }

    public ValueTask<IReadOnlyList<AppendOutcome>> SendAsync(IReadOnlyList<Event> events, bool flushToDisk, CancellationToken cancellationToken)
    {
        Events += events.Count;
        return _answer;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
