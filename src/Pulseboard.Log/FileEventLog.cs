using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pulseboard.Log.Storage;

namespace Pulseboard.Log;

/// <summary>
/// The embedded event log: append-only JSON Lines segments under <c>&lt;data&gt;/events/</c>, named by their first
/// <c>seq</c>, written by one process at a time.
/// </summary>
/// <remarks>
/// <para>
/// Appends from any number of threads are queued to one writer, which commits whatever is waiting as one group:
/// one write, and in <see cref="Durability.Fsync"/> mode one fsync, then every waiting append is acknowledged.
/// An acknowledged event survives <c>kill -9</c> always, and power loss in fsync mode.
/// </para>
/// <para>
/// A failed write is undone (the segment is cut back) and reported to the appends in its group; later appends may
/// succeed once the cause (a full disk) is gone. A failed fsync is final: the log stops acknowledging, because the
/// kernel may already have dropped the written pages. <see cref="DisposeAsync"/> drains, fsyncs and releases the lock.
/// </para>
/// </remarks>
public sealed partial class FileEventLog : IEventLog, ISegmentSource
{
    private readonly FileEventLogOptions _options;
    private readonly string _directory;
    private readonly ILogStorage _storage;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly FolderLock _writerLock;
    private readonly Lock _gate = new();
    private readonly IdIndex _ids = new();
    private readonly Channel<AppendRequest> _requests = Channel.CreateUnbounded<AppendRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ByteBuffer _buffer = new(1 << 20);
    private readonly LogLine _line;
    private readonly Task _writer;
    private SegmentInfo[] _segments = [];
    private ILogFile _active = null!;
    private long _end;
    private TaskCompletionSource _endChanged = NewSignal();
    private LogWriteException? _fault;
    private int _disposed;

    private FileEventLog(FileEventLogOptions options, string directory, FolderLock writerLock)
    {
        _options = options;
        _directory = directory;
        _storage = options.Storage;
        _time = options.TimeProvider;
        _logger = options.Logger;
        _writerLock = writerLock;
        _line = new LogLine(_buffer);
        Recover();
        // A thread of its own: each group is written (and fsynced) synchronously, which on the thread pool would hold
        // one of its few threads and make requests wait for the pool to grow.
        _writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Opens the log in <c>&lt;data&gt;/events/</c>, creating it when missing, and recovers from a crash: a torn last
    /// line is cut (and logged), no complete line is ever dropped.
    /// </summary>
    /// <exception cref="LogLockedException">Another process writes this log.</exception>
    /// <exception cref="LogCorruptException">A segment is damaged somewhere other than its torn tail; nothing was changed.</exception>
    public static FileEventLog Open(FileEventLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var directory = Segments.EventsDirectory(options.DataDirectory);
        options.Storage.CreateDirectoryDurably(directory);
        LogFormat.Ensure(options.Storage, directory);
        var writerLock = FolderLock.Acquire(directory, "writer", $"The event log in {directory}",
            "One process writes a log at a time: stop it, or send events to it (pulseboard emit finds a running server).");
        try
        {
            return new FileEventLog(options, directory, writerLock);
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>The folder holding the segments.</summary>
    public string EventsDirectory => _directory;

    /// <inheritdoc/>
    public long Start
    {
        get
        {
            var segments = Volatile.Read(ref _segments);
            return segments.Length == 0 ? End + 1 : Math.Min(segments[0].First, End + 1);
        }
    }

    /// <inheritdoc/>
    public long End => Volatile.Read(ref _end);


    ILogStorage ISegmentSource.Storage => _storage;

    IReadOnlyList<SegmentInfo> ISegmentSource.Segments => Volatile.Read(ref _segments);

    long ISegmentSource.Limit => End;

    /// <inheritdoc/>
    public LogCursor OpenCursor(long from) => new(this, from);

    /// <inheritdoc/>
    public async ValueTask WaitForAsync(long after, CancellationToken cancellationToken)
    {
        while (End <= after)
        {
            var signal = Volatile.Read(ref _endChanged).Task;
            if (End > after)
            {
                return;
            }
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Publish(long end)
    {
        Volatile.Write(ref _end, end);
        Interlocked.Exchange(ref _endChanged, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Drains waiting appends, fsyncs the active segment, and releases the writer lock. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _requests.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        lock (_gate)
        {
            try
            {
                if (_fault is null)
                {
                    _active.FlushToDisk();
                }
            }
            catch (IOException ex)
            {
                _logger?.FinalFsyncFailed(ex, _directory);
            }
            _active.Dispose();
            _line.Dispose();
            _writerLock.Dispose();
        }
        Interlocked.Exchange(ref _endChanged, NewSignal()).TrySetCanceled();
    }
}
