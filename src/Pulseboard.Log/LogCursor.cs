namespace Pulseboard.Log;

/// <summary>
/// Reads the log forward from a position, segment after segment, in batches. Remembers where it is, so a reader
/// that keeps its cursor pays only for new events.
/// </summary>
/// <remarks>Not thread-safe: one reader at a time. Records it returns stay valid after later reads. Dispose closes the file.</remarks>
public sealed class LogCursor : IDisposable
{
    private readonly ISegmentSource _source = null!;
    private readonly IRecordReader? _reader;
    private LineReader? _lines;
    private long _segmentFirst;

    internal LogCursor(ISegmentSource source, long from)
    {
        _source = source;
        Next = Math.Max(1, from);
    }

    /// <summary>A cursor over a log that is not made of segment files (a distributed engine); it owns <paramref name="reader"/>.</summary>
    internal LogCursor(IRecordReader reader, long from)
    {
        _reader = reader;
        Next = Math.Max(1, from);
    }

    /// <summary>The next position this cursor returns.</summary>
    public long Next { get; private set; }

    /// <summary>
    /// Adds up to <paramref name="max"/> records, from <see cref="Next"/> on, to <paramref name="into"/>, and returns how
    /// many; 0 when the cursor is caught up. Positions purged by retention are skipped: the first record returned may
    /// be past <see cref="Next"/>.
    /// </summary>
    /// <exception cref="LogCorruptException">A line does not hold the position it should.</exception>
    public int Read(List<LogRecord> into, int max)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (_reader is not null)
        {
            var next = Next;
            var read = _reader.Read(ref next, into, max);
            Next = next;
            return read;
        }
        var limit = _source.Limit;
        var count = 0;
        while (count < max && Next <= limit)
        {
            if (_lines is null && !OpenSegment())
            {
                break;
            }
            if (!_lines!.TryReadLine(out var line, out var offset))
            {
                if (!NextSegmentStartsAt(Next))
                {
                    break;
                }
                CloseSegment();
                continue;
            }
            var seq = LogRecord.ParseSeq(line.Span);
            if (seq < Next && seq >= _segmentFirst)
            {
                continue; // before the position asked for, in the segment that holds it
            }
            if (seq != Next)
            {
                throw new LogCorruptException($"Segment {_segmentFirst:D20}.jsonl holds seq {seq} at byte {offset} where seq {Next} was expected.");
            }
            into.Add(new LogRecord(seq, line));
            Next++;
            count++;
        }
        return count;
    }

    private bool OpenSegment()
    {
        var segments = _source.Segments;
        if (segments.Count == 0)
        {
            return false;
        }
        if (Next < segments[0].First)
        {
            Next = segments[0].First; // purged: start from what the log still holds
        }
        var index = segments.Count - 1;
        while (index > 0 && segments[index].First > Next)
        {
            index--;
        }
        try
        {
            _lines = new LineReader(_source.Storage.OpenRead(segments[index].Path));
        }
        catch (FileNotFoundException)
        {
            return false; // purged while we looked; the next read starts from the new start
        }
        _segmentFirst = segments[index].First;
        return true;
    }

    private bool NextSegmentStartsAt(long seq)
    {
        foreach (var segment in _source.Segments)
        {
            if (segment.First == seq && segment.First > _segmentFirst)
            {
                return true;
            }
        }
        return false;
    }

    private void CloseSegment()
    {
        _lines?.Dispose();
        _lines = null;
    }

    /// <summary>Closes the open segment file.</summary>
    public void Dispose()
    {
        CloseSegment();
        _reader?.Dispose();
    }
}
