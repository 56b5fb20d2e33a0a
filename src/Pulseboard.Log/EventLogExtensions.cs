namespace Pulseboard.Log;

/// <summary>Helpers over <see cref="IEventLog"/>.</summary>
internal static class EventLogExtensions
{
    /// <summary>
    /// <see cref="IEventLog.AppendDurableAsync"/> when <paramref name="durable"/>, else <see cref="IEventLog.AppendAsync"/>:
    /// for callers that take the choice from their own caller (a query string, a flag, the SDK's request).
    /// </summary>
    /// <exception cref="LogWriteException">The batch could not be written; none of it was stored.</exception>
    public static ValueTask<IReadOnlyList<AppendOutcome>> AppendAsync(this IEventLog log, IReadOnlyList<Event> events, bool durable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        return durable ? log.AppendDurableAsync(events, cancellationToken) : log.AppendAsync(events, cancellationToken);
    }
}
