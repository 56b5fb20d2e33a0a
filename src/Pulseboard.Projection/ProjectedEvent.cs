using System.Text.Json;
using Pulseboard.Log;

namespace Pulseboard.Projection;

/// <summary>
/// An event as the projector sees it: the stored line's fields, read once, and its content parsed only when a
/// section asks for it.
/// </summary>
public sealed class ProjectedEvent
{
    private readonly ReadOnlyMemory<byte> _content;
    private JsonElement? _parsed;

    private ProjectedEvent(long seq, DateTimeOffset received, string dashboard, string section, string action, Priority priority,
        DateTimeOffset? timestamp, string? source, string? id, ReadOnlyMemory<byte> content)
    {
        Seq = seq;
        Received = received;
        Dashboard = dashboard;
        Section = section;
        Action = action;
        Priority = priority;
        Timestamp = timestamp ?? received;
        Source = source;
        Id = id;
        _content = content;
    }

    /// <summary>The event's position in the log.</summary>
    public long Seq { get; }

    /// <summary>When the log received it.</summary>
    public DateTimeOffset Received { get; }

    /// <summary>The dashboard it was addressed to.</summary>
    public string Dashboard { get; }

    /// <summary>The section it was addressed to.</summary>
    public string Section { get; }

    /// <summary>What happened.</summary>
    public string Action { get; }

    /// <summary>How urgent.</summary>
    public Priority Priority { get; }

    /// <summary>When it happened: the agent's timestamp, or the receipt time when it sent none.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The agent that wrote it, if it said.</summary>
    public string? Source { get; }

    /// <summary>The client id, if any.</summary>
    public string? Id { get; }

    /// <summary>The content, parsed on first use (paths read <see cref="RawContent"/> without parsing it).</summary>
    public JsonElement Content => _parsed ??= _content.IsEmpty ? default : JsonElement.Parse(_content.Span);

    /// <summary>The content's JSON as stored; empty when the event had none.</summary>
    public ReadOnlyMemory<byte> RawContent => _content;

    /// <summary>Reads a stored line.</summary>
    /// <exception cref="FormatException">The line is not a stored event.</exception>
    public static ProjectedEvent Read(LogRecord record)
    {
        var line = record.Line;
        var reader = new Utf8JsonReader(line.Span);
        DateTimeOffset received = default;
        DateTimeOffset? timestamp = null;
        string? dashboard = null, section = null, action = null, source = null, id = null;
        var priority = Priority.Normal;
        ReadOnlyMemory<byte> content = default;
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                switch (name.Length)
                {
                    case 3 when name.SequenceEqual("seq"u8):
                        break;
                    case 8 when name.SequenceEqual("received"u8):
                        received = reader.GetDateTimeOffset();
                        break;
                    case 9 when name.SequenceEqual("dashboard"u8):
                        dashboard = reader.GetString();
                        break;
                    case 7 when name.SequenceEqual("section"u8):
                        section = reader.GetString();
                        break;
                    case 6 when name.SequenceEqual("action"u8):
                        action = reader.GetString();
                        break;
                    case 6 when name.SequenceEqual("source"u8):
                        source = reader.GetString();
                        break;
                    case 2 when name.SequenceEqual("id"u8):
                        id = reader.GetString();
                        break;
                    case 8 when name.SequenceEqual("priority"u8):
                        _ = PriorityNames.TryParse(reader.ValueSpan, out priority); // the log stored it valid
                        break;
                    case 9 when name.SequenceEqual("timestamp"u8):
                        timestamp = reader.GetDateTimeOffset();
                        break;
                    case 7 when name.SequenceEqual("content"u8):
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        content = line[start..(int)reader.BytesConsumed];
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"Log line {record.Seq} is not a stored event: {ex.Message}", ex);
        }
        if (dashboard is null || section is null || action is null)
        {
            throw new FormatException($"Log line {record.Seq} lacks dashboard, section or action.");
        }
        return new ProjectedEvent(record.Seq, received, dashboard, section, action, priority, timestamp, source, id, content);
    }
}
