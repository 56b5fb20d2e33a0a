using Microsoft.Extensions.Logging;
using Pulseboard.Log.Storage;

namespace Pulseboard.Log;

/// <summary>When an append is acknowledged.</summary>
public enum Durability
{
    /// <summary>Once written to the page cache: survives a crash of the process (<c>kill -9</c>), not a power loss. The default.</summary>
    None,

    /// <summary>Once on disk: one fsync covers every append waiting (group commit); survives power loss.</summary>
    Fsync,
}

/// <summary>How a <see cref="FileEventLog"/> stores events.</summary>
public sealed class FileEventLogOptions
{
    /// <summary>The data folder; the log lives in its <c>events/</c> folder. Required.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>When appends are acknowledged. Default <see cref="Durability.None"/>.</summary>
    public Durability Durability { get; init; } = Durability.None;

    /// <summary>A segment is closed and a new one started past this size. Default 64 MiB.</summary>
    public long SegmentMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A segment is closed and a new one started once its first event is this old. Default 1 hour.</summary>
    public TimeSpan SegmentMaxAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Whole segments older than this are deleted (at open and when a segment closes); null keeps all. Default 7 days.</summary>
    public TimeSpan? Retention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The largest event stored, in bytes of its JSON. Default 64 KiB.</summary>
    public int MaxEventBytes { get; init; } = EventRules.DefaultMaxEventBytes;

    /// <summary>The clock that stamps <c>received</c> and ages segments. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>File access; tests inject faults here. Default the real disk.</summary>
    internal ILogStorage Storage { get; init; } = DiskStorage.Instance;

    /// <summary>Where recovery and retention say what they did. Default none.</summary>
    public ILogger? Logger { get; init; }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("DataDirectory is required: the folder that holds events/ (the CLI's --data, default ./data).", nameof(DataDirectory));
        }
        if (SegmentMaxBytes < 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentMaxBytes), SegmentMaxBytes, "SegmentMaxBytes must be at least 4096; the default is 64 MiB.");
        }
        if (SegmentMaxAge <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentMaxAge), SegmentMaxAge, "SegmentMaxAge must be positive; the default is 1 hour.");
        }
        if (Retention is { } r && r <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Retention), r, "Retention must be positive, or null to keep every event; the default is 7 days.");
        }
        if (MaxEventBytes < 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEventBytes), MaxEventBytes, "MaxEventBytes must be at least 256; the default is 65536.");
        }
    }
}
