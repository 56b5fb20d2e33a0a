using Microsoft.Extensions.Logging;

namespace Pulseboard.Projection;

internal static partial class ProjectionMessages
{
    [LoggerMessage(101, LogLevel.Information, "Dashboard {Id}: definition is new or changed; rebuilding its cache from the log (seq {From} on)")]
    public static partial void Rebuilding(this ILogger logger, string id, long from);

    [LoggerMessage(102, LogLevel.Warning, "Dashboard {Id}: the log now starts at seq {Start}; events before were purged, so the rebuilt cache holds only what is left")]
    public static partial void RebuildAfterPurge(this ILogger logger, string id, long start);

    [LoggerMessage(103, LogLevel.Warning, "Cache {Id} has no definition any more; it is kept and marked orphaned")]
    public static partial void Orphaned(this ILogger logger, string id);

    [LoggerMessage(104, LogLevel.Warning, "Cache {Id} is {Bytes} bytes, over the budget of {Budget}; lower max, window or days in its definition")]
    public static partial void OverBudget(this ILogger logger, string id, int bytes, int budget);

    [LoggerMessage(106, LogLevel.Warning, "The caches were built up to seq {Checkpoint} but the log ends at {End}: the log was replaced, so every cache is rebuilt from it")]
    public static partial void LogReplaced(this ILogger logger, long checkpoint, long end);

    [LoggerMessage(107, LogLevel.Warning, "Dashboard {Id}: its cache needs seq {Next} on, but the log now starts at seq {Start}: events it never read expired (max age) or were purged, so it is rebuilt from seq {Start} and holds only what the log holds")]
    public static partial void RebuildAfterExpiry(this ILogger logger, string id, long next, long start);

    [LoggerMessage(105, LogLevel.Error, "{Error}")]
    public static partial void DefinitionProblem(this ILogger logger, string error);
}
