using System.Buffers.Binary;
using System.Text;

namespace Pulseboard.Projection;

/// <summary>
/// Names read from events (dashboards, sections, actions, sources, keys), interned by their UTF-8 bytes: the same
/// few dozen names come back millions of times in a replay, so each is decoded into a string once and then found by
/// its bytes, with a small number (its id) that keys the projector's routes. Bounded at <see cref="MaxNames"/>: past
/// it a new name is decoded afresh each time and has no id or, for a table of keys (<paramref name="forgetWhenFull"/>),
/// the table starts over: a stream of distinct keys cannot grow it, nor push out the names routes need.
/// </summary>
/// <remarks>Not thread-safe: owned by one projector (or one event, when read without a projector).</remarks>
internal sealed class Utf8Names(bool forgetWhenFull = false)
{
    public const int MaxNames = 8192;
    private const int MaxNameBytes = 128; // longer ones (rare keys) are not worth a slot

    // Open addressing, power-of-two slots, at most half full; a slot holds an index into _entries plus one.
    private int[] _slots = new int[64];
    private readonly List<(byte[] Bytes, string Text, int Hash)> _entries = [];

    /// <summary>How many names are interned.</summary>
    public int Count => _entries.Count;

    /// <summary>The string for <paramref name="utf8"/> (valid UTF-8 without JSON escapes), and its id; -1 when not interned.</summary>
    public string Get(ReadOnlySpan<byte> utf8, out int id)
    {
        if (utf8.Length > MaxNameBytes)
        {
            id = -1;
            return Encoding.UTF8.GetString(utf8);
        }
        var hash = Hash(utf8);
        var mask = _slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var slot = _slots[i];
            if (slot == 0)
            {
                break;
            }
            var entry = _entries[slot - 1];
            if (entry.Hash == hash && utf8.SequenceEqual(entry.Bytes))
            {
                id = slot - 1;
                return entry.Text;
            }
        }
        var text = Encoding.UTF8.GetString(utf8);
        if (_entries.Count >= MaxNames)
        {
            if (!forgetWhenFull)
            {
                id = -1;
                return text;
            }
            _entries.Clear();
            Array.Clear(_slots);
        }
        id = _entries.Count;
        _entries.Add((utf8.ToArray(), text, hash));
        if (_entries.Count * 2 > _slots.Length)
        {
            Grow();
        }
        else
        {
            Place(_slots, hash, id + 1);
        }
        return text;
    }

    private void Grow()
    {
        var slots = new int[_slots.Length * 2];
        for (var i = 0; i < _entries.Count; i++)
        {
            Place(slots, _entries[i].Hash, i + 1);
        }
        _slots = slots;
    }

    private static void Place(int[] slots, int hash, int value)
    {
        var mask = slots.Length - 1;
        var i = hash & mask;
        while (slots[i] != 0)
        {
            i = (i + 1) & mask;
        }
        slots[i] = value;
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        // Constant time, not a loop over every byte: the length and the first and last eight bytes, which tell the
        // short names of events apart (equal hashes are settled by comparing the bytes). Fixed, not seeded: the
        // table is bounded, so a crafted run of collisions costs at most a scan of it.
        ulong head, tail;
        if (utf8.Length >= 8)
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(utf8);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]);
        }
        else
        {
            head = 0;
            foreach (var b in utf8)
            {
                head = (head << 8) | b;
            }
            tail = 0;
        }
        var hash = ((head * 0x9E3779B97F4A7C15UL) ^ (tail * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)utf8.Length) * 0x165667B19E3779F9UL;
        return (int)(hash >> 33);
    }
}
