using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Pulseboard.Log;

/// <summary>
/// The idempotency index: the seq of every stored event that has an id, while the event is within retention.
/// </summary>
/// <remarks>
/// Keyed by a 128-bit SipHash-2-4 of the id under a key drawn at random when the log opens (the index is rebuilt from
/// the segments then), not by the id itself: about 36 bytes an id instead of about 125 with the string kept, which
/// at 300 events a second is 0.9 GB a day of retention instead of 3 GB. With the key secret, two different ids land
/// on one entry with odds near 2^-128 per pair, and no writer can steer ids onto another's. Not thread-safe: the
/// log uses it under its lock.
/// </remarks>
internal sealed class IdIndex
{
    private readonly Dictionary<UInt128, long> _seqs = [];
    private readonly ulong _k0;
    private readonly ulong _k1;

    public IdIndex()
    {
        Span<byte> key = stackalloc byte[16];
        RandomNumberGenerator.Fill(key);
        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
    }

    public int Count => _seqs.Count;

    /// <summary>The key <paramref name="id"/> is kept under.</summary>
    public UInt128 KeyOf(string id) => SipHash128(MemoryMarshal.AsBytes(id.AsSpan()), _k0, _k1);

    public bool TryGetSeq(UInt128 key, out long seq) => _seqs.TryGetValue(key, out seq);

    public void Set(UInt128 key, long seq) => _seqs[key] = seq;

    public void Remove(UInt128 key) => _seqs.Remove(key);

    /// <summary>Forgets every id stored before <paramref name="start"/>: retention deleted those events.</summary>
    public void RemoveBelow(long start)
    {
        foreach (var (key, seq) in _seqs)
        {
            if (seq < start)
            {
                _seqs.Remove(key); // allowed while enumerating a Dictionary
            }
        }
    }

    /// <summary>SipHash-2-4 with a 128-bit output (Aumasson and Bernstein's reference, <c>siphash.c</c> with <c>outlen</c> 16).</summary>
    internal static UInt128 SipHash128(ReadOnlySpan<byte> data, ulong k0, ulong k1)
    {
        var v0 = 0x736f6d6570736575UL ^ k0;
        var v1 = 0x646f72616e646f6dUL ^ k1 ^ 0xee;
        var v2 = 0x6c7967656e657261UL ^ k0;
        var v3 = 0x7465646279746573UL ^ k1;
        var whole = data.Length & ~7;
        for (var i = 0; i < whole; i += 8)
        {
            var m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }
        var last = (ulong)data.Length << 56;
        for (var i = whole; i < data.Length; i++)
        {
            last |= (ulong)data[i] << (8 * (i - whole));
        }
        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;
        v2 ^= 0xee;
        for (var i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }
        var low = v0 ^ v1 ^ v2 ^ v3;
        v1 ^= 0xdd;
        for (var i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }
        return new UInt128(v0 ^ v1 ^ v2 ^ v3, low);
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
