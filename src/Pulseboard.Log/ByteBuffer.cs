using System.Buffers;

namespace Pulseboard.Log;

/// <summary>A growable byte buffer whose length can be cut back, so a rejected line is undone without copying.</summary>
internal sealed class ByteBuffer : IBufferWriter<byte>
{
    private byte[] _bytes;

    public ByteBuffer(int capacity) => _bytes = new byte[capacity];

    public int Length { get; set; }

    public ReadOnlySpan<byte> WrittenSpan => _bytes.AsSpan(0, Length);

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _bytes.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _bytes.AsSpan(Length);
    }

    public void Write(byte value)
    {
        Ensure(1);
        _bytes[Length++] = value;
    }

    private void Ensure(int sizeHint)
    {
        var need = Length + Math.Max(sizeHint, 256);
        if (need > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(need, _bytes.Length * 2));
        }
    }
}
