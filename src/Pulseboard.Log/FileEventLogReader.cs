using Pulseboard.Log.Storage;

namespace Pulseboard.Log;

/// <summary>
/// Reads a file log that another process (a running server, an <c>emit</c>) may be writing: no lock, complete lines only.
/// </summary>
/// <remarks>Thread-safe for <see cref="End"/>; each cursor is for one reader. Waiting polls the files.</remarks>
internal sealed class FileEventLogReader : IEventLogReader, ISegmentSource
{
    private readonly string _directory;
    private readonly ILogStorage _storage;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<LogRecord> _scratch = [];
    private LogCursor? _tail;
    private long _end;

    /// <summary>Opens the log in <c>&lt;data&gt;/events/</c> for reading; an absent log reads as empty.</summary>
    public FileEventLogReader(string dataDirectory, TimeProvider? timeProvider = null, ILogStorage? storage = null)
    {
        _directory = Segments.EventsDirectory(dataDirectory);
        _storage = storage ?? DiskStorage.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How often <see cref="WaitForAsync"/> looks at the files. Default 100 ms.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <inheritdoc/>
    public long Start
    {
        get
        {
            var segments = ((ISegmentSource)this).Segments;
            return segments.Count == 0 ? 1 : segments[0].First;
        }
    }

    /// <inheritdoc/>
    public long End
    {
        get
        {
            lock (_gate)
            {
                _tail ??= new LogCursor(this, LastSegmentFirst());
                while (_tail.Read(_scratch, 4096) > 0)
                {
                    _scratch.Clear();
                }
                _end = Math.Max(_end, _tail.Next - 1);
                return _end;
            }
        }
    }

    ILogStorage ISegmentSource.Storage => _storage;

    IReadOnlyList<SegmentInfo> ISegmentSource.Segments =>
        Segments.Sort(_storage.List(_directory, Segments.Extension)).ConvertAll(s => new SegmentInfo(s.First, s.Path, null));

    long ISegmentSource.Limit => long.MaxValue;

    /// <inheritdoc/>
    public LogCursor OpenCursor(long from) => new(this, from);

    /// <inheritdoc/>
    public async ValueTask WaitForAsync(long after, CancellationToken cancellationToken)
    {
        while (End <= after)
        {
            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private long LastSegmentFirst()
    {
        var segments = ((ISegmentSource)this).Segments;
        return segments.Count == 0 ? 1 : segments[^1].First;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _tail?.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
