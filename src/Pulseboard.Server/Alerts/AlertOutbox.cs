using Microsoft.Extensions.Logging;
using Pulseboard.Log.Storage;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// The durable outbox: <c>&lt;data&gt;/alerts/outbox.jsonl</c>. <see cref="Enqueue"/> appends the notice and fsyncs
/// before it returns; <see cref="AlertDelivery"/> takes what is due, and marks each delivery done (delivered or given
/// up) with a line of its own. On open, what has no mark is pending again: delivered at least once across a kill -9,
/// with the id it was enqueued with. The file is compacted (rewritten with only what is pending) on open and once
/// marks pile up.
/// </summary>
/// <remarks>
/// Thread-safe: one lock around the file and the pending list. One process at a time: the server owns its data folder
/// (the log's lock). A failed fsync is final: the outbox stops taking notices (<see cref="IOException"/>) rather than
/// acknowledge one that may be lost.
/// </remarks>
internal sealed partial class AlertOutbox : IAlertOutbox, IDisposable
{
    /// <summary>The outbox's file under <c>&lt;data&gt;/alerts/</c>.</summary>
    public const string FileName = "outbox.jsonl";

    /// <summary>Marks appended before the file is compacted.</summary>
    internal const int CompactAfterMarks = 1_000;

    private readonly Lock _gate = new();
    private readonly List<Delivery> _pending = []; // in order of N
    private readonly SemaphoreSlim _work = new(0);
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private FileStream _file;
    private long _next;
    private int _marks;
    private string? _broken;

    public AlertOutbox(string dataDirectory, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _directory = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataDirectory), "alerts");
        DiskStorage.Instance.CreateDirectoryDurably(_directory);
        Path = System.IO.Path.Combine(_directory, FileName);
        _file = Recover();
    }

    /// <summary>The outbox file's full path.</summary>
    public string Path { get; }

    /// <summary>Copies of the deliveries still owed, in order.</summary>
    public IReadOnlyList<Delivery> Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Select(d => d.Copy()).ToList();
            }
        }
    }

    /// <summary>How many deliveries are still owed.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Appends <paramref name="notice"/> and fsyncs it: once this returns, the notice survives a crash.</summary>
    /// <exception cref="IOException">The disk refused the write or the fsync; the outbox takes no more notices.</exception>
    public void Enqueue(AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_broken is not null)
            {
                throw new IOException($"The alert outbox ({Path}) takes no more notices: {_broken}. Restart the server once the disk is healthy.");
            }
            var n = _next;
            var line = OutboxFormat.NoticeLine(n, now, notice);
            try
            {
                _file.Write(line);
                _file.Flush(flushToDisk: true);
            }
            catch (IOException ex)
            {
                _broken = ex.Message; // a failed fsync is final: the pages may be gone, a retry could report success over lost data
                throw;
            }
            _next++;
            foreach (var name in notice.Notify.Distinct(StringComparer.Ordinal))
            {
                _pending.Add(new Delivery(n, notice, name, now, now));
            }
        }
        _work.Release();
    }

    /// <summary>
    /// What can be sent now: for each notifier, its pending deliveries in order up to the first that waits for a retry,
    /// so a later notice never overtakes an earlier one (a resolved before its firing).
    /// </summary>
    public IReadOnlyList<Delivery> Due(DateTimeOffset now)
    {
        lock (_gate)
        {
            var blocked = new HashSet<string>(StringComparer.Ordinal);
            var due = new List<Delivery>();
            foreach (var delivery in _pending)
            {
                if (blocked.Contains(delivery.Notifier))
                {
                    continue;
                }
                if (delivery.NextAttempt > now)
                {
                    blocked.Add(delivery.Notifier);
                    continue;
                }
                due.Add(delivery);
            }
            return due;
        }
    }

    /// <summary>When the first delivery of some notifier is due (the ones behind it wait for it); null when nothing is pending.</summary>
    public DateTimeOffset? NextDue()
    {
        lock (_gate)
        {
            return _pending.Count == 0 ? null : _pending.GroupBy(d => d.Notifier, StringComparer.Ordinal).Min(g => g.First().NextAttempt);
        }
    }

    /// <summary>Records a failed attempt: the delivery waits until <paramref name="nextAttempt"/>.</summary>
    public void Failed(Delivery delivery, string error, DateTimeOffset nextAttempt)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        lock (_gate)
        {
            if (IndexOf(delivery) is var index and >= 0)
            {
                var pending = _pending[index];
                pending.Attempts++;
                pending.LastError = error;
                pending.NextAttempt = nextAttempt;
            }
        }
    }

    /// <summary>
    /// Marks a delivery done (<c>delivered</c> or <c>given_up</c>). The mark is written to the file but not fsynced: a
    /// mark lost in a crash means the notice is sent again, which at-least-once allows (receivers dedupe by id).
    /// </summary>
    public void Complete(Delivery delivery, string outcome)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        lock (_gate)
        {
            var index = IndexOf(delivery);
            if (index < 0)
            {
                return;
            }
            _pending.RemoveAt(index);
            if (_broken is null)
            {
                try
                {
                    _file.Write(OutboxFormat.MarkLine(delivery.N, delivery.Notifier, outcome));
                    if (++_marks >= CompactAfterMarks)
                    {
                        Compact();
                    }
                }
                catch (IOException ex)
                {
                    _broken = ex.Message;
                    LogBroken(_logger, Path, ex.Message);
                }
            }
        }
    }

    /// <summary>
    /// Waits until a notice is enqueued, the clock reaches <paramref name="until"/> (null: no retry is waiting), or
    /// <paramref name="cancellationToken"/> fires. Waking early is harmless: the caller looks at what is due again.
    /// </summary>
    public async Task WaitForWorkAsync(DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var delay = until is { } due ? due - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        if (until is not null && delay <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = until is null ? new CancellationTokenSource() : new CancellationTokenSource(delay, _time);
        if (until is { } again && _time.GetUtcNow() >= again)
        {
            return; // the clock jumped past the due time while the timer was being made (a fake clock in a test)
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _work.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // the timer: a retry is due
        }
        while (_work.Wait(0, CancellationToken.None))
        {
            // one wake-up covers every notice enqueued so far
        }
    }

    /// <summary>Where the delivery (the one given, or a copy of it) is in the pending list; -1 when it is done.</summary>
    private int IndexOf(Delivery delivery) => _pending.FindIndex(d => d.N == delivery.N && string.Equals(d.Notifier, delivery.Notifier, StringComparison.Ordinal));

    public void Dispose()
    {
        lock (_gate)
        {
            _file.Dispose();
        }
        _work.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The alert outbox {Path} failed to write ({Error}); it takes no more notices until the server restarts")]
    private static partial void LogBroken(ILogger logger, string path, string error);
}
