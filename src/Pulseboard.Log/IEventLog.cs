namespace Pulseboard.Log;

/// <summary>Reads an event log: what it holds, from a position, and waiting for more.</summary>
/// <remarks>Implementations are thread-safe; each <see cref="LogCursor"/> they open is for one reader at a time.</remarks>
public interface IEventLogReader : IAsyncDisposable
{
    /// <summary>The first <c>seq</c> the log still holds (retention moves it forward); <see cref="End"/> + 1 when empty.</summary>
    long Start { get; }

    /// <summary>The last <c>seq</c> acknowledged; 0 when nothing was ever appended.</summary>
    long End { get; }

    /// <summary>Opens a cursor that reads from <paramref name="from"/> (or from <see cref="Start"/> when that was purged).</summary>
    LogCursor OpenCursor(long from);

    /// <summary>Completes once <see cref="End"/> is past <paramref name="after"/>.</summary>
    ValueTask WaitForAsync(long after, CancellationToken cancellationToken);
}

/// <summary>
/// The event log: append-only, every event stored with a gap-free, increasing <c>seq</c> and its <c>received</c> time.
/// </summary>
/// <remarks>
/// The file log (<see cref="FileEventLog"/>) is the embedded default; a distributed engine can stand in behind this
/// interface. Appends may be called from many threads at once; they are committed in groups.
/// </remarks>
public interface IEventLog : IEventLogReader
{
    /// <summary>
    /// Appends a batch and completes once it is written at the log's configured durability: in the page cache
    /// (survives a crash of the process) or, in fsync mode, on disk (survives power loss).
    /// </summary>
    /// <returns>One outcome per event, in order: its position, the original position of a duplicate id, or why it was rejected.</returns>
    /// <exception cref="LogWriteException">The batch could not be written; none of it was stored.</exception>
    ValueTask<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="AppendAsync"/>, but completes only once the batch is on disk (fsync), whatever the mode.</summary>
    /// <exception cref="LogWriteException">The batch could not be written or flushed; none of it was acknowledged.</exception>
    ValueTask<IReadOnlyList<AppendOutcome>> AppendDurableAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes whole segments whose every event was received before <paramref name="before"/>; never rewrites one,
    /// never deletes the segment being written.
    /// </summary>
    ValueTask<PurgeResult> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>What a purge removed.</summary>
/// <param name="Segments">Segment files deleted.</param>
/// <param name="Events">Events they held.</param>
/// <param name="Start">The log's first position afterwards.</param>
public readonly record struct PurgeResult(int Segments, long Events, long Start);
