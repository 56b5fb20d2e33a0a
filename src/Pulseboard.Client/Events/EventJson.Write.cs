using System.Buffers;
using System.Text.Json;

namespace Pulseboard;

internal static partial class EventJson
{
    /// <summary>Writes <paramref name="e"/> as one JSON object in the wire format.</summary>
    public static void Write(Utf8JsonWriter writer, Event e)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        WriteProperties(writer, e, e.Timestamp);
        writer.WriteEndObject();
    }

    /// <summary>The event as UTF-8 JSON in the wire format.</summary>
    public static byte[] ToUtf8(Event e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, e);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the event's fields into an object the caller has started, in the stored order:
    /// <c>id, dashboard, section, action, priority, timestamp, source, content</c>. Absent optional fields are left
    /// out, and so is the default priority, <c>normal</c>.
    /// </summary>
    /// <param name="writer">A writer positioned inside an object.</param>
    /// <param name="e">The event.</param>
    /// <param name="timestamp">The time to write, or null to leave it out.</param>
    public static void WriteProperties(Utf8JsonWriter writer, Event e, DateTimeOffset? timestamp)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(e);
        if (e.Id is not null)
        {
            writer.WriteString("id"u8, e.Id);
        }
        writer.WriteString("dashboard"u8, e.Dashboard);
        writer.WriteString("section"u8, e.Section);
        writer.WriteString("action"u8, e.Action);
        if (e.Priority != Priority.Normal)
        {
            writer.WriteString("priority"u8, PriorityUtf8(e.Priority));
        }
        if (timestamp is { } t)
        {
            WriteTime(writer, "timestamp"u8, t);
        }
        if (e.Source is not null)
        {
            writer.WriteString("source"u8, e.Source);
        }
        writer.WritePropertyName("content"u8);
        if (e.Content.ValueKind == JsonValueKind.Undefined)
        {
            writer.WriteNullValue();
        }
        else
        {
            e.Content.WriteTo(writer);
        }
    }

    /// <summary>Writes a time property as RFC 3339: <c>Z</c> for UTC, the offset otherwise.</summary>
    public static void WriteTime(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(name);
        WriteTimeValue(writer, time);
    }

    /// <summary>Writes a time property as RFC 3339, or <c>null</c> when there is no time.</summary>
    public static void WriteTimeOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset? time)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (time is { } t)
        {
            WriteTime(writer, name, t);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>Writes a time value as RFC 3339: <c>Z</c> for UTC, the offset otherwise.</summary>
    public static void WriteTimeValue(Utf8JsonWriter writer, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (time.Offset == TimeSpan.Zero)
        {
            writer.WriteStringValue(time.UtcDateTime);
        }
        else
        {
            writer.WriteStringValue(time);
        }
    }

    private static ReadOnlySpan<byte> PriorityUtf8(Priority priority) => priority switch
    {
        Priority.Low => "low"u8,
        Priority.High => "high"u8,
        Priority.Critical => "critical"u8,
        _ => "normal"u8,
    };
}
