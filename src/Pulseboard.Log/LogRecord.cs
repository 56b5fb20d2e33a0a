using System.Buffers.Text;
using System.Text.Json;

namespace Pulseboard.Log;

/// <summary>One stored line of the log: the event with its <c>seq</c> and <c>received</c> time, as UTF-8 JSON.</summary>
/// <remarks>The line's first fields are always <c>{"seq":N,"received":"…"</c>; the event's own fields follow.</remarks>
public readonly struct LogRecord
{
    internal LogRecord(long seq, ReadOnlyMemory<byte> line)
    {
        Seq = seq;
        Line = line;
    }

    /// <summary>The event's position in the log.</summary>
    public long Seq { get; }

    /// <summary>The stored JSON object, without the line feed.</summary>
    public ReadOnlyMemory<byte> Line { get; }

    /// <summary>When the log received the event (parsed from the line on each call).</summary>
    public DateTimeOffset Received
    {
        get
        {
            var reader = new Utf8JsonReader(Line.Span);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("received"u8) && reader.Read())
                {
                    return reader.GetDateTimeOffset();
                }
            }
            throw new FormatException($"Log line {Seq} has no received time.");
        }
    }

    /// <summary>Parses the event back from the line; an event stored without a timestamp gets its receipt time.</summary>
    /// <exception cref="FormatException">The line is not an event (the log is damaged).</exception>
    public Event ToEvent() => LogLine.ToEvent(Line.Span, Seq);

    /// <summary>Reads the <c>seq</c> at the start of a stored line, or -1 when the line does not start like one.</summary>
    internal static long ParseSeq(ReadOnlySpan<byte> line)
    {
        var prefix = "{\"seq\":"u8;
        if (!line.StartsWith(prefix) || !Utf8Parser.TryParse(line[prefix.Length..], out long seq, out var used)
            || line.Length <= prefix.Length + used || line[prefix.Length + used] != (byte)',')
        {
            return -1;
        }
        return seq;
    }
}
