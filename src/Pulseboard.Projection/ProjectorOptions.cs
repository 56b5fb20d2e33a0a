using Microsoft.Extensions.Logging;
using Pulseboard.Log.Storage;

namespace Pulseboard.Projection;

/// <summary>Where the projector reads definitions and writes caches.</summary>
public sealed class ProjectorOptions
{
    /// <summary>The data folder; caches go to its <c>caches/</c>. Required.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The definitions folder. Default <c>./dashboards</c>.</summary>
    public string DashboardsDirectory { get; init; } = "./dashboards";

    /// <summary>
    /// The definitions, already loaded from <see cref="DashboardsDirectory"/>: the server loads them once and shares
    /// them between the projector, ingest (which flags events no section takes) and its schemas. Default null: the
    /// projector loads them itself.
    /// </summary>
    internal Definitions.DefinitionSet? Definitions { get; init; }

    /// <summary>A cache larger than this is written anyway and warned about once. Default 256 KB.</summary>
    public int CacheBudgetBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// Whether the checkpoint is made durable: the caches written since the last one are fsynced, then the
    /// checkpoint, so after a power loss no cache is behind it. Caches themselves are renamed into place without an
    /// fsync on every cycle (a lost one is rebuilt). Default true.
    /// </summary>
    public bool FsyncCaches { get; init; } = true;

    /// <summary>How often the checkpoint is saved (with the fsyncs above); always on <see cref="Projector.Dispose"/>. Default 1 s.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>In continuous mode, how long to gather appends after the first before a cycle. Default 25 ms.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// The most events one cycle reads before it writes the caches and the checkpoint, so a long replay saves its
    /// progress as it goes. Default 1,000,000.
    /// </summary>
    public int MaxCycleEvents { get; init; } = 1_000_000;

    /// <summary>The clock for <c>generated</c> and the debounce. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Told after every cycle that read or wrote something, on the projector's thread, once the caches are written:
    /// the server pushes changed caches from here. Keep it quick. Default none.
    /// </summary>
    public Action<CycleResult>? OnCycle { get; init; }

    /// <summary>
    /// Syncs the folders whose entries the projector makes durable (<c>caches/</c> when created, the renamed checkpoint);
    /// tests count them here. Default the real disk.
    /// </summary>
    internal ILogStorage Storage { get; init; } = DiskStorage.Instance;

    /// <summary>Where rebuilds, orphans and oversized caches are reported. Default none.</summary>
    public ILogger? Logger { get; init; }
}
