using Pulseboard.Client;

namespace Pulseboard.Log;

/// <summary>The client's in-process transport: batches go straight into an <see cref="IEventLog"/>.</summary>
/// <remarks>Owns the log when <c>ownsLog</c> is true, and then disposes it with the client.</remarks>
public sealed class LocalLogTransport(IEventLog log, bool ownsLog = true) : IEventTransport
{
    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<AppendOutcome>> SendAsync(IReadOnlyList<Event> events, bool flushToDisk, CancellationToken cancellationToken) =>
        log.AppendAsync(events, durable: flushToDisk, cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ownsLog ? log.DisposeAsync() : ValueTask.CompletedTask;
}
