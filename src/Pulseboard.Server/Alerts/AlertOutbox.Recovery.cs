using Microsoft.Extensions.Logging;
using Pulseboard.Log.Storage;

namespace Pulseboard.Server.Alerts;

internal sealed partial class AlertOutbox
{
    /// <summary>
    /// Reads the file back: every notice without a mark for a notifier it names is pending again, due now. A torn last
    /// line (a crash mid-write; never one that was acknowledged, since Enqueue returns after the fsync) is cut, and a
    /// damaged line is skipped and logged. Then the file is rewritten with only what is pending.
    /// </summary>
    private FileStream Recover()
    {
        var now = _time.GetUtcNow();
        var notices = new SortedDictionary<long, (DateTimeOffset At, AlertNotice Notice)>();
        var done = new HashSet<(long, string)>();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
        }
        catch (FileNotFoundException)
        {
            bytes = [];
        }
        var start = 0;
        var lineNumber = 0;
        while (start < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
            {
                LogTornTail(_logger, Path, bytes.Length - start);
                break;
            }
            lineNumber++;
            var line = OutboxFormat.TryRead(bytes.AsSpan(start, end - start));
            if (line is { Notice: { } notice } read)
            {
                notices[read.N] = (read.At, notice);
            }
            else if (line is { Notifier: { } notifier } mark)
            {
                done.Add((mark.N, notifier));
            }
            else
            {
                LogDamagedLine(_logger, Path, lineNumber);
            }
            start = end + 1;
        }
        foreach (var (n, (at, notice)) in notices)
        {
            foreach (var name in notice.Notify.Distinct(StringComparer.Ordinal))
            {
                if (!done.Contains((n, name)))
                {
                    _pending.Add(new Delivery(n, notice, name, at, now));
                }
            }
        }
        _next = notices.Count == 0 ? 1 : notices.Keys.Max() + 1;
        if (_pending.Count > 0)
        {
            LogRecovered(_logger, _pending.Count, Path);
        }
        return Rewrite();
    }

    /// <summary>Rewrites the file with only what is pending (under the lock), and reopens it for appending.</summary>
    private void Compact()
    {
        _file.Dispose();
        _file = Rewrite();
    }

    private FileStream Rewrite()
    {
        using var buffer = new MemoryStream();
        foreach (var notice in _pending.GroupBy(d => d.N))
        {
            var first = notice.First();
            buffer.Write(OutboxFormat.NoticeLine(first.N, first.EnqueuedAt, first.Notice));
            var owed = notice.Select(d => d.Notifier).ToHashSet(StringComparer.Ordinal);
            foreach (var name in first.Notice.Notify.Distinct(StringComparer.Ordinal).Where(name => !owed.Contains(name)))
            {
                buffer.Write(OutboxFormat.MarkLine(first.N, name, "done"));
            }
        }
        AtomicFile.Write(Path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), fsync: true);
        DiskStorage.Instance.SyncDirectory(_directory);
        _marks = 0;
        return new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The alert outbox {Path} ended in a torn line of {Bytes} bytes (a crash mid-write, never an acknowledged notice); cut")]
    private static partial void LogTornTail(ILogger logger, string path, int bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "The alert outbox {Path} has a damaged line {Line}; skipped")]
    private static partial void LogDamagedLine(ILogger logger, string path, int line);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} alert deliveries pending from before the restart ({Path}); sending them again")]
    private static partial void LogRecovered(ILogger logger, int count, string path);
}
