using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Pulseboard.Log;

/// <summary>
/// The stored line format, version 1: <c>{"seq":N,"received":"…",</c> then the event's fields in the order of
/// <see cref="EventJson.WriteProperties"/>, then a line feed.
/// </summary>
/// <remarks>
/// Writes most lines by copying: names, actions and slugs are validated ASCII that JSON never escapes, and content
/// parsed from JSON is copied as the agent sent it. An id or content that needs re-encoding takes the
/// <see cref="Utf8JsonWriter"/> path. Either way the same event always gives the same bytes. Not thread-safe.
/// </remarks>
internal sealed class LogLine : IDisposable
{
    public const int FormatVersion = 1;

    // The line keeps what the agent sent: no timestamp when it gave none (readers take "received"), no priority when normal.

    /// <summary>
    /// What <see cref="Copy"/> writes besides the event's own texts, at most: every literal with every optional field
    /// present, the longest seq and the longest priority. Summed from the literals themselves, so that a field added
    /// to the line cannot outgrow the space reserved for it (a line that does not fit would throw halfway through).
    /// </summary>
    private static readonly int s_fixedBytes =
        "{\"seq\":"u8.Length + MaxSeqDigits + ",\"received\":\""u8.Length + "\""u8.Length
        + ",\"id\":\""u8.Length + "\""u8.Length
        + ",\"dashboard\":\""u8.Length + "\",\"section\":\""u8.Length + "\",\"action\":\""u8.Length + "\""u8.Length
        + ",\"priority\":\""u8.Length + MaxPriorityBytes() + "\""u8.Length
        + ",\"timestamp\":\""u8.Length + "\""u8.Length
        + ",\"source\":\""u8.Length + "\""u8.Length
        + ",\"content\":"u8.Length + "}"u8.Length;

    /// <summary><see cref="long.MinValue"/> in decimal: 19 digits and a sign.</summary>
    private const int MaxSeqDigits = 20;

    private readonly ByteBuffer _buffer;
    private readonly Utf8JsonWriter _json;
    private readonly ByteBuffer _timeBuffer = new(64);
    private readonly Utf8JsonWriter _timeJson;
    private DateTimeOffset _lastTime = DateTimeOffset.MinValue;
    private byte[] _lastTimeBytes = [];

    public LogLine(ByteBuffer buffer)
    {
        _buffer = buffer;
        _json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        _timeJson = new Utf8JsonWriter(_timeBuffer);
    }

    /// <summary>
    /// Appends one line with its line feed and returns the size of the event's own JSON (the line without
    /// <c>"seq"</c> and <c>"received"</c>), which the size limit applies to.
    /// </summary>
    /// <exception cref="ArgumentException">The content cannot be written as JSON (the buffer is then as it was).</exception>
    public int Append(long seq, DateTimeOffset received, Event e)
    {
        var mark = _buffer.Length;
        try
        {
            var prefix = CanCopy(e, out var content) ? Copy(seq, received, e, content) : Encode(seq, received, e);
            _buffer.Write((byte)'\n');
            return _buffer.Length - mark - 1 - prefix;
        }
        catch
        {
            _buffer.Length = mark;
            throw;
        }
    }

    private static bool CanCopy(Event e, out ReadOnlySpan<byte> content)
    {
        content = e.Content.ValueKind == JsonValueKind.Undefined ? "null"u8 : JsonMarshal.GetRawUtf8Value(e.Content);
        return (e.Id is null || IsPlain(e.Id)) && content.IndexOfAny((byte)'\n', (byte)'\r') < 0 && Utf8.IsValid(content);
    }

    /// <summary>Printable ASCII that JSON writes as is: no quote, no backslash, nothing the encoder would escape.</summary>
    private static bool IsPlain(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~' or '"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`')
            {
                return false;
            }
        }
        return true;
    }

    private int Copy(long seq, DateTimeOffset received, Event e, ReadOnlySpan<byte> content)
    {
        var receivedText = Time(received);
        var timestampText = e.Timestamp is { } t ? FormatTime(t) : default;
        var size = s_fixedBytes + receivedText.Length + timestampText.Length + e.Dashboard.Length + e.Section.Length + e.Action.Length
            + (e.Id?.Length ?? 0) + (e.Source?.Length ?? 0) + content.Length;
        var span = _buffer.GetSpan(size);
        var at = 0;
        Put(span, ref at, "{\"seq\":"u8);
        Utf8Formatter.TryFormat(seq, span[at..], out var written);
        at += written;
        Put(span, ref at, ",\"received\":\""u8);
        Put(span, ref at, receivedText);
        Put(span, ref at, "\""u8);
        var prefix = at;
        if (e.Id is not null)
        {
            Put(span, ref at, ",\"id\":\""u8);
            PutAscii(span, ref at, e.Id);
            Put(span, ref at, "\""u8);
        }
        Put(span, ref at, ",\"dashboard\":\""u8);
        PutAscii(span, ref at, e.Dashboard);
        Put(span, ref at, "\",\"section\":\""u8);
        PutAscii(span, ref at, e.Section);
        Put(span, ref at, "\",\"action\":\""u8);
        PutAscii(span, ref at, e.Action);
        Put(span, ref at, "\""u8);
        if (e.Priority != Priority.Normal)
        {
            Put(span, ref at, ",\"priority\":\""u8);
            PutAscii(span, ref at, e.Priority.ToWire());
            Put(span, ref at, "\""u8);
        }
        if (e.Timestamp is not null)
        {
            Put(span, ref at, ",\"timestamp\":\""u8);
            Put(span, ref at, timestampText);
            Put(span, ref at, "\""u8);
        }
        if (e.Source is not null)
        {
            Put(span, ref at, ",\"source\":\""u8);
            PutAscii(span, ref at, e.Source);
            Put(span, ref at, "\""u8);
        }
        Put(span, ref at, ",\"content\":"u8);
        Put(span, ref at, content);
        Put(span, ref at, "}"u8);
        _buffer.Advance(at);
        return prefix;
    }

    private static int MaxPriorityBytes() => Enum.GetValues<Priority>().Max(p => p.ToWire().Length);

    private int Encode(long seq, DateTimeOffset received, Event e)
    {
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteNumber("seq"u8, seq);
        EventJson.WriteTime(_json, "received"u8, received);
        var prefix = (int)_json.BytesPending;
        EventJson.WriteProperties(_json, e, e.Timestamp);
        _json.WriteEndObject();
        _json.Flush();
        return prefix;
    }

    private static void Put(Span<byte> span, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        at += bytes.Length;
    }

    private static void PutAscii(Span<byte> span, ref int at, string ascii)
    {
        at += System.Text.Encoding.ASCII.GetBytes(ascii, span[at..]);
    }

    /// <summary>The time as the JSON writer formats it (RFC 3339, Z for UTC), cached for the group's receipt time.</summary>
    private ReadOnlySpan<byte> Time(DateTimeOffset time)
    {
        if (time != _lastTime)
        {
            _lastTimeBytes = FormatTime(time).ToArray();
            _lastTime = time;
        }
        return _lastTimeBytes;
    }

    private ReadOnlySpan<byte> FormatTime(DateTimeOffset time)
    {
        _timeBuffer.Length = 0;
        _timeJson.Reset(_timeBuffer);
        EventJson.WriteTimeValue(_timeJson, time);
        _timeJson.Flush();
        return _timeBuffer.WrittenSpan[1..^1]; // without the quotes
    }

    public static Event ToEvent(ReadOnlySpan<byte> line, long seq)
    {
        var reader = new Utf8JsonReader(line);
        if (!(reader.Read() && reader.Read() && reader.ValueTextEquals("seq"u8) && reader.Read()
            && reader.Read() && reader.ValueTextEquals("received"u8) && reader.Read()))
        {
            throw new FormatException($"Log line {seq} does not start with seq and received.");
        }
        var received = reader.GetDateTimeOffset();
        var rest = line[(int)reader.BytesConsumed..];
        var json = new byte[rest.Length];
        rest.CopyTo(json);
        json[0] = (byte)'{'; // the comma after "received" becomes the object's start
        var errors = new List<EventError>();
        var e = EventJson.Parse(json, errors, int.MaxValue)
            ?? throw new FormatException($"Log line {seq} is not a valid event: {string.Join("; ", errors)}");
        return e.Timestamp is null ? e.WithTimestamp(received) : e;
    }

    public void Dispose()
    {
        _json.Dispose();
        _timeJson.Dispose();
    }
}
