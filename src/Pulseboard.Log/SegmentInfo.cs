using Pulseboard.Log.Storage;

namespace Pulseboard.Log;

/// <summary>One segment file: its first <c>seq</c>, its path, and for a closed one the time its last event was received.</summary>
internal sealed record SegmentInfo(long First, string Path, DateTimeOffset? LastReceived);

/// <summary>What a <see cref="LogCursor"/> reads: the segments and the last position it may hand out.</summary>
internal interface ISegmentSource
{
    ILogStorage Storage { get; }

    IReadOnlyList<SegmentInfo> Segments { get; }

    /// <summary>The last seq a reader may return (the acknowledged end, or the last complete line for a reader in another process).</summary>
    long Limit { get; }
}
