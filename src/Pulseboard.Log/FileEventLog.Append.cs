using System.Text.Json;

namespace Pulseboard.Log;

public sealed partial class FileEventLog
{
    /// <summary>A group stops taking waiting appends past this many events, so one write stays bounded.</summary>
    private const int GroupEvents = 16_384;

    private readonly List<AppendRequest> _group = [];
    private readonly List<UInt128> _groupIds = [];
    private DateTimeOffset _activeOpened;
    private DateTimeOffset? _activeLastReceived;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default) =>
        EnqueueAsync(events, _options.Durability == Durability.Fsync, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<AppendOutcome>> AppendDurableAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default) =>
        EnqueueAsync(events, flushToDisk: true, cancellationToken);

    private ValueTask<IReadOnlyList<AppendOutcome>> EnqueueAsync(IReadOnlyList<Event> events, bool flushToDisk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (Volatile.Read(ref _fault) is { } fault)
        {
            return ValueTask.FromException<IReadOnlyList<AppendOutcome>>(fault);
        }
        if (events.Count == 0)
        {
            return ValueTask.FromResult<IReadOnlyList<AppendOutcome>>([]);
        }
        var request = new AppendRequest(events, flushToDisk);
        if (!_requests.Writer.TryWrite(request))
        {
            return ValueTask.FromException<IReadOnlyList<AppendOutcome>>(new ObjectDisposedException(nameof(FileEventLog)));
        }
        return new ValueTask<IReadOnlyList<AppendOutcome>>(request.Done.Task.WaitAsync(cancellationToken));
    }

    private void WriteLoop()
    {
        var reader = _requests.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            _group.Clear();
            var events = 0;
            while (events < GroupEvents && reader.TryRead(out var request))
            {
                _group.Add(request);
                events += request.Events.Count;
            }
            lock (_gate)
            {
                CommitGroup();
            }
        }
    }

    /// <summary>Serializes every waiting append, writes them with one call, fsyncs once if any asked, then acknowledges all.</summary>
    private void CommitGroup()
    {
        if (_fault is { } fault)
        {
            Fail(fault);
            return;
        }
        var now = _time.GetUtcNow();
        RollIfDue(now);
        var first = _end + 1;
        var next = first;
        var flush = false;
        _buffer.Length = 0;
        _groupIds.Clear();
        foreach (var request in _group)
        {
            flush |= request.FlushToDisk;
            for (var i = 0; i < request.Events.Count; i++)
            {
                request.Outcomes[i] = Serialize(request.Events[i], now, ref next);
            }
        }
        if (_buffer.Length > 0 && !TryWrite(flush))
        {
            return;
        }
        if (next > first)
        {
            _activeLastReceived = now;
            Publish(next - 1);
        }
        foreach (var request in _group)
        {
            request.Done.TrySetResult(request.Outcomes);
        }
    }

    private AppendOutcome Serialize(Event e, DateTimeOffset now, ref long next)
    {
        if (e is null)
        {
            return AppendOutcome.Rejected(new EventError("", "event: is null"));
        }
        if (EventRules.Check(e) is { } error)
        {
            return AppendOutcome.Rejected(error);
        }
        var key = e.Id is null ? default : _ids.KeyOf(e.Id);
        if (e.Id is not null && _ids.TryGetSeq(key, out var original))
        {
            return AppendOutcome.DuplicateOf(original);
        }
        var mark = _buffer.Length;
        int bytes;
        try
        {
            bytes = _line.Append(next, now, e);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or JsonException)
        {
            return AppendOutcome.Rejected(new EventError("content", $"content: cannot be stored as JSON ({ex.Message})"));
        }
        if (bytes > _options.MaxEventBytes)
        {
            _buffer.Length = mark;
            return AppendOutcome.Rejected(EventRules.TooLarge(bytes, _options.MaxEventBytes));
        }
        if (e.Id is not null)
        {
            _ids.Set(key, next);
            _groupIds.Add(key);
        }
        return AppendOutcome.At(next++);
    }

    /// <summary>Writes the group; on failure cuts the segment back so nothing of the group stays, and fails the group.</summary>
    private bool TryWrite(bool flush)
    {
        var committed = _active.Length;
        try
        {
            _active.Append(_buffer.WrittenSpan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            UndoGroupIds();
            try
            {
                _active.Truncate(committed);
            }
            catch (Exception cut) when (cut is IOException or UnauthorizedAccessException)
            {
                FailForGood($"Writing to {ActiveName} failed ({ex.Message}) and cutting back the partial write failed too ({cut.Message})", ex);
                return false;
            }
            Fail(new LogWriteException($"Could not write to {ActiveName}: {ex.Message}. Nothing of this batch was stored; retry once the cause is fixed.", ex, faulted: false));
            return false;
        }
        if (flush || _options.Durability == Durability.Fsync)
        {
            try
            {
                _active.FlushToDisk();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                UndoGroupIds();
                FailForGood($"fsync of {ActiveName} failed ({ex.Message})", ex);
                return false;
            }
        }
        return true;
    }

    private string ActiveName => Path.Combine("events", Path.GetFileName(_segments[^1].Path));

    private void UndoGroupIds()
    {
        foreach (var key in _groupIds)
        {
            _ids.Remove(key);
        }
    }

    private void FailForGood(string what, Exception cause)
    {
        var fault = new LogWriteException(
            $"{what}. The log stopped acknowledging appends: the kernel may have dropped written data, so no later write can be trusted. Restart to recover from what is on disk.",
            cause, faulted: true);
        Volatile.Write(ref _fault, fault);
        _logger?.Faulted(cause, fault.Message);
        Fail(fault);
    }

    private void Fail(LogWriteException error)
    {
        foreach (var request in _group)
        {
            request.Done.TrySetException(error);
        }
    }

    /// <summary>Closes the active segment once it is full or old, at a group boundary, and starts the next.</summary>
    private void RollIfDue(DateTimeOffset now)
    {
        var active = _segments[^1];
        if (active.First > _end || (_active.Length < _options.SegmentMaxBytes && now - _activeOpened < _options.SegmentMaxAge))
        {
            return;
        }
        try
        {
            _active.FlushToDisk();
            var path = Segments.PathOf(_directory, _end + 1);
            var file = _storage.OpenAppend(path);
            _storage.SyncDirectory(_directory);
            _active.Dispose();
            _active = file;
            _segments = [.. _segments[..^1], active with { LastReceived = _activeLastReceived }, new SegmentInfo(_end + 1, path, null)];
            _activeOpened = now;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Keep appending to the full segment; rolling is retried at the next group.
            _logger?.RollFailed(ex, _directory, ActiveName);
            return;
        }
        if (_options.Retention is { } retention)
        {
            PurgeLocked(now - retention);
        }
    }

    private sealed class AppendRequest(IReadOnlyList<Event> events, bool flushToDisk)
    {
        public IReadOnlyList<Event> Events { get; } = events;

        public bool FlushToDisk { get; } = flushToDisk;

        public AppendOutcome[] Outcomes { get; } = new AppendOutcome[events.Count];

        public TaskCompletionSource<IReadOnlyList<AppendOutcome>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
