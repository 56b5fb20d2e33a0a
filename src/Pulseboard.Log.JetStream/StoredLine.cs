using System.Text.Json;

namespace Pulseboard.Log.JetStream;

/// <summary>
/// Converts between an event's stored message (the log line without <c>seq</c> and <c>received</c>, which the stream
/// keeps as its sequence and time) and the log line readers expect: <c>{"seq":N,"received":"…",</c> then the same fields.
/// </summary>
/// <remarks>Written through <see cref="LogLine"/>, so a line read back has the same bytes the file log would store.</remarks>
internal static class StoredLine
{
    private const int Prefix = 16;

    /// <summary>The message for <paramref name="e"/>: its fields as the file log writes them, in a JSON object.</summary>
    /// <exception cref="ArgumentException">The content cannot be written as JSON.</exception>
    public static byte[] ToMessage(Event e)
    {
        var buffer = new ByteBuffer(1024);
        using var line = new LogLine(buffer);
        var own = line.Append(0, DateTimeOffset.UnixEpoch, e);
        var written = buffer.WrittenSpan[..^1]; // without the line feed
        var message = new byte[own];
        message[0] = (byte)'{';
        written[(written.Length - own + 1)..].CopyTo(message.AsSpan(1)); // after the comma that followed "received"
        return message;
    }

    /// <summary>
    /// Whether <paramref name="message"/> has the layout <see cref="ToMessage"/> writes: one line holding a JSON object
    /// with at least one field, from its first byte to its last.
    /// </summary>
    public static bool IsMessage(ReadOnlySpan<byte> message)
    {
        if (message.Length < 2 || message[0] != (byte)'{' || message[^1] != (byte)'}' || message.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            return false;
        }
        var reader = new Utf8JsonReader(message);
        try
        {
            if (!reader.Read() || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
            {
                return false;
            }
            while (reader.Read())
            {
                // to the end: the reader throws on anything that is not JSON, or on more than one value
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The log line for a stored message.</summary>
    public static byte[] ToLine(long seq, DateTimeOffset received, ReadOnlySpan<byte> message)
    {
        var buffer = new ByteBuffer(message.Length + 64 + Prefix);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq"u8, seq);
            EventJson.WriteTime(json, "received"u8, received.ToUniversalTime());
            json.Flush();
        }
        // The writer left the object open after "received": the message's fields follow, after a comma.
        buffer.Write((byte)',');
        var span = buffer.GetSpan(message.Length - 1);
        message[1..].CopyTo(span);
        buffer.Advance(message.Length - 1);
        return buffer.WrittenSpan.ToArray();
    }
}
