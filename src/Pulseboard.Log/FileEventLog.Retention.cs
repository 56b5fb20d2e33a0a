
namespace Pulseboard.Log;

public sealed partial class FileEventLog
{
    /// <inheritdoc/>
    public ValueTask<PurgeResult> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(PurgeLocked(before));
        }
    }

    /// <summary>
    /// Moves the logical start first (readers skip to it), then deletes the whole segments before it, oldest first, so
    /// a crash in between leaves a log that still opens. The active segment is never deleted.
    /// </summary>
    private PurgeResult PurgeLocked(DateTimeOffset before)
    {
        var segments = _segments;
        var keepFrom = 0;
        while (keepFrom < segments.Length - 1 && segments[keepFrom].LastReceived is { } last && last < before)
        {
            keepFrom++;
        }
        if (keepFrom == 0)
        {
            return new PurgeResult(0, 0, Start);
        }
        var start = segments[keepFrom].First;
        Volatile.Write(ref _segments, segments[keepFrom..]);
        _ids.RemoveBelow(start);
        var deleted = 0;
        foreach (var segment in segments[..keepFrom])
        {
            try
            {
                _storage.Delete(segment.Path);
                deleted++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger?.DeleteFailed(ex, segment.Path);
            }
        }
        var events = start - segments[0].First;
        _logger?.Purged(deleted, events, before, start);
        return new PurgeResult(deleted, events, start);
    }
}
