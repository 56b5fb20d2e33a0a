using System.Text.Json;

namespace Pulseboard.Log;

/// <summary>The stored line format, version 1: <c>{"seq":N,"received":"…",</c> then the event's own fields, then a line feed.</summary>
internal static class LogLine
{
    public const int FormatVersion = 1;

    /// <summary>
    /// Writes one line (without the line feed) to a writer just reset, and returns how many bytes the line adds to the
    /// event's own JSON (<c>"seq":N,"received":"…",</c>), so the size limit applies to the event alone.
    /// </summary>
    public static int Write(Utf8JsonWriter writer, long seq, DateTimeOffset received, Event e)
    {
        writer.WriteStartObject();
        writer.WriteNumber("seq"u8, seq);
        EventJson.WriteTime(writer, "received"u8, received);
        var added = writer.BytesPending; // "{" and the two fields; the comma before the next field adds one more
        EventJson.WriteProperties(writer, e, e.Timestamp ?? received);
        writer.WriteEndObject();
        return added;
    }

    public static Event ToEvent(ReadOnlySpan<byte> line, long seq)
    {
        var reader = new Utf8JsonReader(line);
        if (!(reader.Read() && reader.Read() && reader.ValueTextEquals("seq"u8) && reader.Read()
            && reader.Read() && reader.ValueTextEquals("received"u8) && reader.Read()))
        {
            throw new FormatException($"Log line {seq} does not start with seq and received.");
        }
        var rest = line[(int)reader.BytesConsumed..];
        var json = new byte[rest.Length];
        rest.CopyTo(json);
        json[0] = (byte)'{'; // the comma after "received" becomes the object's start
        var errors = new List<EventError>();
        return EventJson.Parse(json, errors, int.MaxValue)
            ?? throw new FormatException($"Log line {seq} is not a valid event: {string.Join("; ", errors)}");
    }
}
