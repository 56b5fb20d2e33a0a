using System.Text.Json;

namespace Pulseboard.Log;

public sealed partial class FileEventLog
{
    /// <summary>
    /// Reads every segment once: checks each line (complete JSON, the expected seq), rebuilds the id index, finds the
    /// end, and cuts a torn tail of the last segment. Damage anywhere else stops the open without changing a byte.
    /// </summary>
    private void Recover()
    {
        var files = Segments.Sort(_storage.List(_directory, Segments.Extension));
        var segments = new List<SegmentInfo>(files.Count);
        var next = files.Count == 0 ? 1 : files[0].First;
        for (var i = 0; i < files.Count; i++)
        {
            var (first, path) = files[i];
            if (first != next)
            {
                throw new LogCorruptException(
                    $"Segment {Path.GetFileName(path)} starts at seq {first}, but the segment before it ends at {next - 1}: a segment is missing. Restore it, or move the later segments aside.");
            }
            var last = i == files.Count - 1;
            var scan = ScanSegment(path, first, last);
            next = scan.Next;
            segments.Add(new SegmentInfo(first, path, last ? null : scan.LastReceived));
            if (last)
            {
                _activeOpened = scan.FirstReceived ?? _time.GetUtcNow();
                _activeLastReceived = scan.LastReceived;
            }
        }
        if (segments.Count == 0)
        {
            var path = Segments.PathOf(_directory, 1);
            segments.Add(new SegmentInfo(1, path, null));
            _activeOpened = _time.GetUtcNow();
        }
        _active = _storage.OpenAppend(segments[^1].Path);
        if (files.Count == 0)
        {
            // The first segment was just created: its name must be on disk before any event in it is acknowledged.
            _storage.SyncDirectory(_directory);
        }
        _segments = [.. segments];
        _end = next - 1;
        if (_options.Retention is { } retention)
        {
            PurgeLocked(_time.GetUtcNow() - retention);
        }
    }

    private readonly record struct SegmentScan(long Next, DateTimeOffset? FirstReceived, DateTimeOffset? LastReceived);

    private SegmentScan ScanSegment(string path, long first, bool last)
    {
        var expected = first;
        ReadOnlyMemory<byte> firstLine = default, lastLine = default;
        long goodEnd = 0, length;
        using (var stream = _storage.OpenRead(path))
        using (var lines = new LineReader(stream))
        {
            length = stream.Length;
            while (lines.TryReadLine(out var line, out var offset))
            {
                // Closed segments were complete when they closed: check their seqs and read their ids; parse only the last fully.
                if (!(last ? TryScanLine(line.Span, expected, out var id) : TryScanClosedLine(line.Span, expected, out id)))
                {
                    break;
                }
                if (id is not null)
                {
                    _ids.Set(_ids.KeyOf(id), expected);
                }
                if (expected == first)
                {
                    firstLine = line;
                }
                lastLine = line;
                expected++;
                goodEnd = offset + line.Length + 1;
            }
        }
        if (goodEnd < length)
        {
            CutTornTail(path, first, expected, goodEnd, length, last);
        }
        return new SegmentScan(
            expected,
            firstLine.IsEmpty ? null : new LogRecord(first, firstLine).Received,
            lastLine.IsEmpty ? null : new LogRecord(expected - 1, lastLine).Received);
    }

    private void CutTornTail(string path, long first, long next, long goodEnd, long length, bool last)
    {
        var name = Path.GetFileName(path);
        if (!last)
        {
            throw new LogCorruptException(
                $"Segment {name} is damaged at byte {goodEnd} (after seq {next - 1}), and it is not the last segment, so this is not a torn write. Nothing was changed; move the damaged segment aside to open the log.");
        }
        if (HasCompleteLineAfter(path, goodEnd, next))
        {
            throw new LogCorruptException(
                $"Segment {name} is damaged at byte {goodEnd} (after seq {next - 1}) but holds complete events after the damage. Nothing was changed; repair or move the segment aside.");
        }
        using (var file = _storage.OpenAppend(path))
        {
            file.Truncate(goodEnd);
            file.FlushToDisk();
        }
        _logger?.CutTornTail(length - goodEnd, name, next - 1);
        _recoveredBytes += length - goodEnd;
    }

    /// <summary>Whether a valid line with a later seq follows the damage: then the damage is not a torn tail.</summary>
    private bool HasCompleteLineAfter(string path, long offset, long next)
    {
        using var stream = _storage.OpenRead(path);
        using var lines = new LineReader(stream, offset);
        var skippedFirst = false;
        while (lines.TryReadLine(out var line, out _))
        {
            if (!skippedFirst)
            {
                skippedFirst = true; // the damaged line itself
                continue;
            }
            var seq = LogRecord.ParseSeq(line.Span);
            if (seq >= next && TryScanLine(line.Span, seq, out _))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Bytes cut from torn tails when this log was opened.</summary>
    public long RecoveredBytes => _recoveredBytes;

    private long _recoveredBytes;

    /// <summary>The light check of a line in a closed segment: the expected seq, a closing brace, and the id if it has one.</summary>
    internal static bool TryScanClosedLine(ReadOnlySpan<byte> line, long expected, out string? id)
    {
        id = null;
        if (LogRecord.ParseSeq(line) != expected || line.IsEmpty || line[^1] != (byte)'}')
        {
            return false;
        }
        var received = line.IndexOf(",\"received\":\""u8);
        if (received < 0)
        {
            return false;
        }
        var afterTime = line[(received + 13)..];
        var close = afterTime.IndexOf((byte)'"');
        if (close < 0)
        {
            return false;
        }
        var rest = afterTime[(close + 1)..];
        if (rest.StartsWith(",\"id\":"u8))
        {
            var reader = new Utf8JsonReader(rest[6..]);
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }
                id = reader.GetString();
            }
            catch (JsonException)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Checks one stored line: complete JSON, the expected seq first; reads its id (stored third) on the way.</summary>
    internal static bool TryScanLine(ReadOnlySpan<byte> line, long expected, out string? id)
    {
        id = null;
        if (LogRecord.ParseSeq(line) != expected)
        {
            return false;
        }
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 80 });
            if (!(reader.Read() && reader.Read() && reader.Read() && reader.Read() && reader.ValueTextEquals("received"u8)
                && reader.Read() && reader.Read()))
            {
                return false;
            }
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("id"u8) && reader.Read())
            {
                id = reader.GetString();
            }
            while (reader.Read())
            {
            }
            return reader.BytesConsumed == line.Length && reader.CurrentDepth == 0;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
