using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pulseboard.Log;
using Pulseboard.Log.Storage;
using Pulseboard.Projection.Caches;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection;

/// <summary>What one projection cycle did.</summary>
/// <param name="Events">Events read from the log.</param>
/// <param name="Applied">Events that fed at least one dashboard.</param>
/// <param name="CachesWritten">Cache files written.</param>
/// <param name="Position">The last seq processed for every dashboard (the checkpoint).</param>
public readonly record struct CycleResult(long Events, long Applied, int CachesWritten, long Position)
{
    /// <summary>How long the cycle took (zero for a cycle that found nothing to do).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>
    /// The caches this cycle wrote, by dashboard id, with the bytes written: handed to the server, which serves them
    /// without reading the files back.
    /// </summary>
    internal IReadOnlyList<KeyValuePair<string, byte[]>> Written { get; init; } = [];
}

/// <summary>
/// Projects the event log into one cache per dashboard: reads from the lowest position any cache needs, applies each
/// event to every section that takes it, and writes each changed cache atomically.
/// </summary>
/// <remarks>
/// <para>
/// Exactly once, across crashes: a cache holds the seq of the last event applied to it (<c>position</c>), and the
/// checkpoint <c>caches/_projector.json</c> the last seq processed for all of them, written after the caches. After a
/// crash the projector resumes at the checkpoint and skips, per cache, what that cache already holds.
/// </para>
/// <para>
/// A definition whose hash differs from its cache's is rebuilt from the log; a cache without a definition is kept and
/// marked <c>"orphaned": true</c>. Not thread-safe: one cycle at a time (<see cref="RunAsync"/> runs them in turn).
/// </para>
/// </remarks>
public sealed class Projector : IDisposable
{
    private const int ReadBatch = 4096;
    private readonly ProjectorOptions _options;
    private readonly string _cacheDirectory;
    private readonly List<DashboardCache> _caches = [];
    private readonly HashSet<string> _warnedOverBudget = new(StringComparer.Ordinal);
    private readonly List<LogRecord> _records = new(ReadBatch);
    private readonly HashSet<string> _writtenSinceCheckpoint = new(StringComparer.Ordinal);
    private readonly ProjectionNames _names = new();
    private SectionIndex? _index;
    private FolderLock? _lock;
    private LogCursor? _cursor;
    private long _checkpoint;
    private long _position;
    private DateTimeOffset _checkpointSaved;

    private Projector(ProjectorOptions options, DefinitionSet definitions)
    {
        _options = options;
        _cacheDirectory = CacheFiles.Directory(options.DataDirectory);
        Definitions = definitions;
    }

    /// <summary>The definitions loaded, with every problem found in them.</summary>
    internal DefinitionSet Definitions { get; }

    /// <summary>The last seq processed for every dashboard, as last saved in the checkpoint.</summary>
    public long Checkpoint => _checkpoint;

    /// <summary>
    /// Takes the projector's lock (<c>caches/projector.lock</c>), loads the definitions (unless
    /// <see cref="ProjectorOptions.Definitions"/> holds them) and the caches that match them; a dashboard whose cache is missing or was built from
    /// another definition starts empty and is rebuilt by the next cycle. Marks caches without a definition orphaned.
    /// </summary>
    /// <exception cref="LogLockedException">Another projector (a running server, another project --once) holds the caches.</exception>
    public static Projector Open(ProjectorOptions options, IEventLogReader log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var projector = new Projector(options, options.Definitions ?? DefinitionLoader.LoadDirectory(options.DashboardsDirectory));
        try
        {
            projector.Load(log);
        }
        catch
        {
            projector.Dispose();
            throw;
        }
        return projector;
    }

    private void Load(IEventLogReader log)
    {
        _options.Storage.CreateDirectoryDurably(_cacheDirectory);
        _lock = FolderLock.Acquire(_cacheDirectory, "projector", $"The caches in {_cacheDirectory}",
            "One projector writes them at a time: a running server projects continuously, so stop it before project --once or rebuild.");
        foreach (var error in Definitions.Errors)
        {
            _options.Logger?.DefinitionProblem(error.ToString());
        }
        _checkpoint = ReadCheckpoint();
        var replaced = _checkpoint > log.End;
        _position = replaced ? 0 : _checkpoint;
        if (replaced)
        {
            // The log behind the caches was replaced (its end is before what was processed): start over from it.
            _options.Logger?.LogReplaced(_checkpoint, log.End);
            _checkpoint = 0;
        }
        foreach (var definition in Definitions.Dashboards)
        {
            var cache = DashboardCache.TryLoad(definition, CacheFiles.PathOf(_cacheDirectory, definition.Id));
            if (cache is null || replaced || cache.Position > log.End)
            {
                cache = DashboardCache.Empty(definition);
                _options.Logger?.Rebuilding(definition.Id, log.Start);
                if (log.Start > 1)
                {
                    _options.Logger?.RebuildAfterPurge(definition.Id, log.Start);
                }
            }
            cache.Next = cache.Dirty ? Math.Max(1, log.Start) : Math.Max(cache.Position, _checkpoint) + 1;
            cache.Dirty |= cache.Outdated; // after Next: rewritten in the current format, not rebuilt from the log
            _caches.Add(cache);
        }
        Expired(log.Start);
        MarkOrphans();
    }

    /// <summary>
    /// Rebuilds, from <paramref name="start"/>, every cache that needs a position before it: events it never read
    /// expired (the stream's max age) or were purged, so what it holds can no longer be brought up to date. Each cache is
    /// then a pure function of the log as it is now, and nodes that read the same log converge. In a cycle, called only
    /// when the cursor skipped positions, with <paramref name="start"/> no later than the log's start: the positions
    /// before it are gone, so every cache that has not passed it missed events (a skipped position at or after the log's
    /// start held no event).
    /// </summary>
    private void Expired(long start)
    {
        for (var i = 0; i < _caches.Count; i++)
        {
            var cache = _caches[i];
            if (cache.Next >= start)
            {
                continue;
            }
            if (cache.Position > 0)
            {
                _options.Logger?.RebuildAfterExpiry(cache.Definition.Id, cache.Next, start);
                cache = DashboardCache.Empty(cache.Definition);
                _caches[i] = cache;
            }
            cache.Next = start;
        }
    }

    /// <summary>
    /// One cycle: reads the events from the lowest position a cache needs, up to the log's end or
    /// <see cref="ProjectorOptions.MaxCycleEvents"/>, applies them, and writes the changed caches and the checkpoint.
    /// An idle cycle reads nothing. <see cref="CycleResult.Position"/> below the log's end means: call again.
    /// </summary>
    public CycleResult RunOnce(IEventLogReader log, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (_caches.Count == 0)
        {
            return new CycleResult(0, 0, 0, _position);
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var from = _caches.Min(c => c.Next);
        var end = Math.Min(log.End, from + _options.MaxCycleEvents - 1);
        if (end < from && !_caches.Exists(c => c.Dirty))
        {
            SaveCheckpointIfDue(); // an idle cycle is how the last checkpoint after a burst gets saved
            return new CycleResult(0, 0, 0, _position);
        }
        if (_cursor is null || _cursor.Next != from)
        {
            _cursor?.Dispose();
            _cursor = log.OpenCursor(from);
        }
        long events = 0, applied = 0;
        while (_cursor.Next <= end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _records.Clear();
            var expected = _cursor.Next;
            int got;
            try
            {
                got = _cursor.Read(_records, (int)Math.Min(ReadBatch, end - _cursor.Next + 1));
            }
            catch (IOException)
            {
                // What was read before is applied in memory: the next cycle goes on from there, not from the
                // caches' old positions, or it would apply those events twice (the caches are still dirty).
                foreach (var cache in _caches)
                {
                    cache.Next = Math.Max(cache.Next, _cursor.Next);
                }
                throw;
            }
            if (got == 0)
            {
                if (_cursor.Next > expected)
                {
                    Expired(Math.Min(_cursor.Next, log.Start)); // positions aged out (or were not events), nothing after
                }
                break;
            }
            foreach (var record in _records)
            {
                if (record.Seq > expected)
                {
                    // Skipped: aged out while this projector was behind, or not an event (a message another client
                    // published on a distributed log's subjects). Only positions before the log's start were lost.
                    Expired(Math.Min(record.Seq, log.Start));
                }
                expected = record.Seq + 1;
                ProjectedEvent e;
                try
                {
                    e = ProjectedEvent.Read(record, _names);
                }
                catch (FormatException)
                {
                    // The events before this line are applied in memory: a retry goes on from this line, not again
                    // from the caches' old positions (as after a failed read).
                    foreach (var cache in _caches)
                    {
                        cache.Next = Math.Max(cache.Next, record.Seq);
                    }
                    throw;
                }
                applied += Apply(e) ? 1 : 0;
            }
            events += _records.Count;
            progress?.Report(_cursor.Next - 1);
        }
        var read = _cursor.Next; // the cursor skips purged positions, so this may be past `end` + 1 only by retention
        foreach (var cache in _caches)
        {
            cache.Next = Math.Max(cache.Next, read);
        }
        var written = WriteCaches();
        _position = _caches.Min(c => c.Next) - 1;
        SaveCheckpointIfDue();
        var result = new CycleResult(events, applied, written.Count, _position) { Duration = System.Diagnostics.Stopwatch.GetElapsedTime(started), Written = written };
        _options.OnCycle?.Invoke(result);
        return result;
    }

    /// <summary>Applies one event to every section that takes it, in caches that have not seen it; true when any took it.</summary>
    private bool Apply(ProjectedEvent e)
    {
        _index ??= new SectionIndex(_caches.ConvertAll(c => c.Definition));
        var any = false;
        foreach (var (c, section, certain) in _index.For(e))
        {
            var cache = _caches[c];
            if (e.Seq >= cache.Next && cache.ApplyTo(section, e, certain))
            {
                cache.Applied(e); // the same for every section of this cache that takes the event
                any = true;
            }
        }
        return any;
    }

    /// <summary>
    /// Runs cycles as the log grows until cancelled: woken by appends, then a short debounce
    /// (<see cref="ProjectorOptions.Debounce"/>) so a burst becomes one cycle.
    /// </summary>
    /// <remarks>
    /// On a thread of its own: a cycle reads, writes and renames files and, once a second, fsyncs them, all
    /// synchronously. On the thread pool that would hold one of its few threads (two on a two-core machine) for
    /// each cycle, and requests would queue behind it until the pool adds a thread, which takes up to a second.
    /// </remarks>
    public Task RunAsync(IEventLogReader log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        return Task.Factory.StartNew(() => Run(log, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Run(IEventLogReader log, CancellationToken cancellationToken)
    {
        RunOnce(log, null, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (WaitForEventsOrCheckpoint(log, cancellationToken) && _options.Debounce > TimeSpan.Zero)
                {
                    Task.Delay(_options.Debounce, _options.TimeProvider, cancellationToken).GetAwaiter().GetResult();
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            RunOnce(log, null, cancellationToken);
        }
        SaveCheckpoint();
    }

    /// <summary>
    /// Waits for events past the position, or until a checkpoint that is behind falls due; true when events came.
    /// </summary>
    /// <remarks>
    /// Not past the checkpoint: it lags the position by up to <see cref="ProjectorOptions.CheckpointInterval"/>, so
    /// after a burst that wait would return at once, and the thread would run an empty cycle every debounce until the
    /// next event. Nor for ever: the checkpoint after a burst must still be saved when no event follows.
    /// </remarks>
    private bool WaitForEventsOrCheckpoint(IEventLogReader log, CancellationToken cancellationToken)
    {
        if (_position == _checkpoint && _writtenSinceCheckpoint.Count == 0)
        {
            log.WaitForAsync(_position, cancellationToken).AsTask().GetAwaiter().GetResult();
            return true;
        }
        var dueIn = _checkpointSaved + _options.CheckpointInterval - _options.TimeProvider.GetUtcNow();
        if (dueIn <= TimeSpan.Zero)
        {
            return false;
        }
        using var due = new CancellationTokenSource(dueIn, _options.TimeProvider);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, due.Token);
        try
        {
            log.WaitForAsync(_position, either.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException) when (due.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void SaveCheckpointIfDue()
    {
        if (_options.TimeProvider.GetUtcNow() - _checkpointSaved >= _options.CheckpointInterval)
        {
            SaveCheckpoint();
        }
    }

    /// <summary>Forgets the caches of <paramref name="ids"/> (all when empty), so the next cycle rebuilds them from the log.</summary>
    /// <exception cref="ArgumentException">An id has no definition.</exception>
    public void Reset(IReadOnlyCollection<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
        {
            if (!_caches.Exists(c => c.Definition.Id == id))
            {
                throw new ArgumentException($"No dashboard \"{id}\" in {_options.DashboardsDirectory}; the dashboards are {string.Join(", ", _caches.Select(c => c.Definition.Id))}.", nameof(ids));
            }
        }
        for (var i = 0; i < _caches.Count; i++)
        {
            if (ids.Count == 0 || ids.Contains(_caches[i].Definition.Id))
            {
                _caches[i] = DashboardCache.Empty(_caches[i].Definition);
                _caches[i].Next = 1;
            }

        }
    }

    private List<KeyValuePair<string, byte[]>> WriteCaches()
    {
        var written = new List<KeyValuePair<string, byte[]>>();
        var now = _options.TimeProvider.GetUtcNow();
        foreach (var cache in _caches)
        {
            if (!cache.Dirty)
            {
                continue;
            }
            var bytes = cache.Serialize(now);
            var path = CacheFiles.PathOf(_cacheDirectory, cache.Definition.Id);
            AtomicFile.Write(path, bytes, fsync: false);
            _writtenSinceCheckpoint.Add(path);
            cache.Dirty = false;
            written.Add(new(cache.Definition.Id, bytes));
            if (bytes.Length > _options.CacheBudgetBytes && _warnedOverBudget.Add(cache.Definition.Id))
            {
                _options.Logger?.OverBudget(cache.Definition.Id, bytes.Length, _options.CacheBudgetBytes);
            }
        }
        return written;
    }

    private void MarkOrphans()
    {
        foreach (var id in CacheFiles.Ids(_cacheDirectory))
        {
            if (_caches.Exists(c => c.Definition.Id == id) || Definitions.Errors.Any(e => Path.GetFileNameWithoutExtension(e.File) == id))
            {
                continue; // a definition with errors keeps its cache as it was
            }
            var path = CacheFiles.PathOf(_cacheDirectory, id);
            try
            {
                var node = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject;
                if (node is null || node["orphaned"] is not null)
                {
                    continue;
                }
                node["orphaned"] = true;
                WriteDurably(path, System.Text.Encoding.UTF8.GetBytes(node.ToJsonString()));
                _options.Logger?.Orphaned(id);
            }
            catch (JsonException)
            {
                // Not a cache we can read; leave it alone.
            }
        }
    }

    private string CheckpointPath => Path.Combine(_cacheDirectory, "_projector.json");

    private long ReadCheckpoint()
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(CheckpointPath));
            return document.RootElement.GetProperty("position").GetInt64();
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return 0; // no checkpoint: every cache resumes from its own position
        }
    }

    /// <summary>
    /// Saves the checkpoint: first makes every cache written since the last one durable (fsync, then the folder), so
    /// that after a power loss no cache is older than the checkpoint says. Called every
    /// <see cref="ProjectorOptions.CheckpointInterval"/> and on <see cref="Dispose"/>.
    /// </summary>
    public void SaveCheckpoint()
    {
        _checkpointSaved = _options.TimeProvider.GetUtcNow();
        if (_position == _checkpoint && _writtenSinceCheckpoint.Count == 0)
        {
            return;
        }
        if (_options.FsyncCaches)
        {
            foreach (var path in _writtenSinceCheckpoint)
            {
                using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
                RandomAccess.FlushToDisk(handle);
            }
            _options.Storage.SyncDirectory(_cacheDirectory);
        }
        _writtenSinceCheckpoint.Clear();
        _checkpoint = _position;
        WriteDurably(CheckpointPath, System.Text.Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $$"""{"position":{{_checkpoint}}}""")));
    }

    /// <summary>Replaces a file atomically and, with <see cref="ProjectorOptions.FsyncCaches"/>, durably: the rename is on disk once the folder is.</summary>
    private void WriteDurably(string path, ReadOnlySpan<byte> bytes)
    {
        AtomicFile.Write(path, bytes, _options.FsyncCaches);
        if (_options.FsyncCaches)
        {
            _options.Storage.SyncDirectory(_cacheDirectory);
        }
    }

    /// <summary>Saves the checkpoint, closes the log cursor and releases the projector's lock.</summary>
    public void Dispose()
    {
        if (_lock is not null)
        {
            SaveCheckpoint();
        }
        _cursor?.Dispose();
        _lock?.Dispose();
    }
}
