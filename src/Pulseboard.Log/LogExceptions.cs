namespace Pulseboard.Log;

/// <summary>Another process holds a lock this one needs: the log's writer lock, or the projector's.</summary>
public sealed class LogLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public LogLockedException(string message, int? ownerPid)
        : base(message) => OwnerPid = ownerPid;

    /// <summary>The process that holds the lock, when it said so.</summary>
    public int? OwnerPid { get; }
}

/// <summary>
/// A batch could not be written: nothing of it was acknowledged, except the events <see cref="Stored"/> names when the
/// log is <see cref="RetryAfter">unavailable for now</see>.
/// </summary>
public sealed class LogWriteException : IOException
{
    /// <summary>Creates the exception.</summary>
    public LogWriteException(string message, Exception? inner, bool faulted)
        : base(message, inner) => Faulted = faulted;

    /// <summary>
    /// Creates the exception for a log that is unavailable for now (a distributed engine whose quorum did not
    /// acknowledge in time): the batch may be retried with the same ids after <paramref name="retryAfter"/>.
    /// </summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="inner">The engine's error.</param>
    /// <param name="retryAfter">How long to wait before retrying.</param>
    /// <param name="stored">Indexes in the batch of the events that were acknowledged before the log gave up.</param>
    public LogWriteException(string message, Exception? inner, TimeSpan retryAfter, IReadOnlyList<int> stored)
        : base(message, inner)
    {
        RetryAfter = retryAfter;
        Stored = stored ?? [];
    }

    /// <summary>
    /// Set when the log is unavailable for now rather than broken: retry the batch with the same ids after this long.
    /// Null for a log that cannot store (a full disk, a failed fsync).
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// Indexes in the batch of the events stored before the failure (only with <see cref="RetryAfter"/>): a retry of
    /// them with the same ids is answered with their seqs; an event without an id among them would be stored again.
    /// Empty when none was. The others were not acknowledged, but may still be stored (retry them with the same ids).
    /// </summary>
    public IReadOnlyList<int> Stored { get; } = [];

    /// <summary>
    /// True when the log stopped accepting appends for good (a failed fsync: the kernel may have dropped written pages,
    /// so no later write can be acknowledged honestly). Reopening the log recovers.
    /// </summary>
    public bool Faulted { get; }
}

/// <summary>The log on disk is damaged beyond a torn last line; it is left untouched.</summary>
public sealed class LogCorruptException : IOException
{
    /// <summary>Creates the exception.</summary>
    public LogCorruptException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// A log that lives elsewhere (a stream on other servers) did not answer a read: nothing is wrong with this machine's
/// disk, and the read is tried again once it answers.
/// </summary>
internal sealed class LogUnreachableException(string message, Exception? inner) : IOException(message, inner);
