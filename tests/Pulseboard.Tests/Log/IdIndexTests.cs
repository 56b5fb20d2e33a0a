using System.Buffers.Binary;
using Pulseboard.Log;

namespace Pulseboard.Tests.Log;

public sealed class IdIndexTests
{
    /// <summary>The reference implementation's <c>vectors_sip128</c>: key 00 01 .. 0f, message 00 .. (length - 1).</summary>
    [Theory]
    [InlineData(0, "a3817f04ba25a8e66df67214c7550293")]
    [InlineData(1, "da87c1d86b99af44347659119b22fc45")]
    [InlineData(2, "8177228da4a45dc7fca38bdef60affe4")]
    [InlineData(3, "9c70b60c5267a94e5f33b6b02985ed51")]
    public void SipHash128_matches_the_reference_vectors(int length, string expected)
    {
        var message = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var hash = IdIndex.SipHash128(message, 0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL);
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)hash);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), (ulong)(hash >> 64));
        Assert.Equal(expected, Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Ids_that_differ_anywhere_get_different_keys_and_equal_ids_the_same()
    {
        var index = new IdIndex();
        var keys = new HashSet<UInt128>();
        foreach (var id in Enumerable.Range(0, 100_000).Select(i => $"agent-{i % 7}-{i}").Append("a").Append("b").Append("ab").Append("ba").Append(""))
        {
            Assert.True(keys.Add(index.KeyOf(id)), id);
        }
        Assert.Equal(index.KeyOf("agent-3-17"), index.KeyOf(string.Concat("agent-3-", "17")));
        Assert.NotEqual(new IdIndex().KeyOf("agent-3-17"), index.KeyOf("agent-3-17")); // a fresh key each time a log opens
    }
}
