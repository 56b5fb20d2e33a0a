namespace Pulseboard.Client;

/// <summary>
/// Where a <see cref="PulseboardClient"/> delivers its batches: the local log in-process, or a server over HTTP.
/// </summary>
/// <remarks>
/// The client calls <see cref="SendAsync"/> from one background task at a time, never concurrently.
/// </remarks>
public interface IEventTransport : IAsyncDisposable
{
    /// <summary>Delivers a batch and returns one outcome per event, in order.</summary>
    /// <param name="events">The events, already checked against <see cref="EventRules"/>.</param>
    /// <param name="flushToDisk">True when the caller waits until the events survive power loss (fsync), not only a crash.</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <exception cref="Exception">Delivery failed as a whole; the client counts the batch as failed and tells its listener.</exception>
    ValueTask<IReadOnlyList<AppendOutcome>> SendAsync(IReadOnlyList<Event> events, bool flushToDisk, CancellationToken cancellationToken);
}

/// <summary>A transport that passes the client's count of dropped events on (the HTTP transport: to the server's <c>/metrics</c>).</summary>
public interface IReportsDrops
{
    /// <summary>The client's total of events dropped so far; called before each send.</summary>
    void ReportDropped(long total);
}
