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

/// <summary>A batch could not be written; nothing of it was acknowledged.</summary>
public sealed class LogWriteException : IOException
{
    /// <summary>Creates the exception.</summary>
    public LogWriteException(string message, Exception? inner, bool faulted)
        : base(message, inner) => Faulted = faulted;

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
