namespace Pulseboard.Log;

/// <summary>
/// Reads complete lines from a file that may still be growing. A line handed out stays valid: the buffer it lies in
/// is never written again (a new one is taken when more must be read).
/// </summary>
internal sealed class LineReader : IDisposable
{
    // Below the large-object heap's 85,000 bytes: chunks die young in gen0 instead of driving gen2 collections.
    private const int ChunkBytes = 64 * 1024;
    private readonly Stream _stream;
    private byte[] _buffer = new byte[ChunkBytes];
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _handedOut;

    public LineReader(Stream stream, long offset = 0)
    {
        _stream = stream;
        _stream.Position = offset;
        _bufferOffset = offset;
    }

    /// <summary>The file offset just after the last line handed out.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>The next complete line (without its line feed) and its offset; false when none is complete yet.</summary>
    public bool TryReadLine(out ReadOnlyMemory<byte> line, out long offset)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                offset = _bufferOffset + _start;
                line = _buffer.AsMemory(_start, newline);
                _start += newline + 1;
                _handedOut = true;
                return true;
            }
            if (!Fill())
            {
                line = default;
                offset = Position;
                return false;
            }
        }
    }

    private bool Fill()
    {
        var pending = _end - _start;
        var size = pending + ChunkBytes / 2 > ChunkBytes ? Math.Max(ChunkBytes, pending * 2) : ChunkBytes;
        // Lines already handed out keep their buffer; one nobody saw is reused.
        var next = _handedOut || size > _buffer.Length ? GC.AllocateUninitializedArray<byte>(size) : _buffer;
        _buffer.AsSpan(_start, pending).CopyTo(next);
        _handedOut = false;
        _bufferOffset += _start;
        _buffer = next;
        _start = 0;
        _end = pending;
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        return read > 0;
    }

    public void Dispose() => _stream.Dispose();
}
