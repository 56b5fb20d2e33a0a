using Pulseboard.Log;

namespace Pulseboard.Tests.Log;

public sealed class LogLineTests
{
    private static readonly DateTimeOffset s_received = new(2026, 11, 22, 12, 0, 0, 123, TimeSpan.Zero);

    /// <summary>Every optional field present, every name at its longest, and the longest seq and priority.</summary>
    private static Event Widest() => new()
    {
        Dashboard = new string('d', 63),
        Section = new string('s', 63),
        Action = new string('a', 64),
        Source = new string('o', 64),
        Id = new string('i', 128),
        Priority = Priority.Critical,
        Timestamp = new DateTimeOffset(2026, 11, 22, 11, 59, 59, 999, TimeSpan.FromHours(-9.5)),
        Content = Event.ParseContent("""{"n":1,"text":"copied as the agent sent it"}"""),
    };

    private static byte[] Write(ByteBuffer buffer, int fill)
    {
        buffer.Length = fill;
        using var line = new LogLine(buffer);
        line.Append(long.MaxValue, s_received, Widest());
        return buffer.WrittenSpan[fill..].ToArray();
    }

    [Fact]
    public void A_line_with_every_field_fits_whatever_room_is_left_at_the_buffer_s_end()
    {
        const int Capacity = 4096;
        var expected = Write(new ByteBuffer(1 << 16), 0);
        Assert.StartsWith("""{"seq":9223372036854775807,"received":"2026-11-22T12:00:00.123Z","id":""", System.Text.Encoding.UTF8.GetString(expected), StringComparison.Ordinal);
        // The buffer grows only when the estimate says the line will not fit: any room between the estimate and the
        // real size left the line without space. Try every room from far too much down to one byte.
        for (var room = 2 * expected.Length; room > 0; room--)
        {
            Assert.Equal(expected, Write(new ByteBuffer(Capacity), Capacity - room));
        }
    }
}
