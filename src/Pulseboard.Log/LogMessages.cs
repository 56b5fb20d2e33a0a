using Microsoft.Extensions.Logging;

namespace Pulseboard.Log;

/// <summary>What the log tells its operator, source-generated so a disabled level costs nothing.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(1, LogLevel.Warning, "Recovered the event log: cut {Bytes} bytes of a torn last line from {Segment} after seq {Seq}; every complete event is kept")]
    public static partial void CutTornTail(this ILogger logger, long bytes, string segment, long seq);

    [LoggerMessage(2, LogLevel.Critical, "{Message}")]
    public static partial void Faulted(this ILogger logger, Exception cause, string message);

    [LoggerMessage(3, LogLevel.Error, "Could not start a new segment in {Directory}; still appending to {Segment}")]
    public static partial void RollFailed(this ILogger logger, Exception cause, string directory, string segment);

    [LoggerMessage(4, LogLevel.Warning, "Retention could not delete {Segment}; it is outside the log now and can be removed by hand")]
    public static partial void DeleteFailed(this ILogger logger, Exception cause, string segment);

    [LoggerMessage(5, LogLevel.Information, "Retention deleted {Segments} segments holding {Events} events received before {Before}; the log starts at seq {Start}")]
    public static partial void Purged(this ILogger logger, int segments, long events, DateTimeOffset before, long start);

    [LoggerMessage(6, LogLevel.Error, "Final fsync of the event log in {Directory} failed")]
    public static partial void FinalFsyncFailed(this ILogger logger, Exception cause, string directory);
}
