using System.Text.Json;
using Pulseboard.Log;

namespace Pulseboard.Projection;

/// <summary>
/// An event as the projector sees it: the stored line's fields, read once, and its content parsed only when a
/// section asks for it.
/// </summary>
/// <remarks>
/// Read for speed (issue 11): one pass over the line's tokens, no more. Names come interned from the projector's
/// tables (no string per event); times and the id are parsed only when asked for (most events never need their
/// receipt time, only the last one a cache applied does); and the content's top-level properties are found in the
/// same pass, so a section's <c>content.x</c> is a lookup, not another walk of the content.
/// </remarks>
internal sealed partial class ProjectedEvent
{
    private ReadOnlyMemory<byte> _line;
    private ReadOnlyMemory<byte> _content;
    private Range _received;
    private Range _timestamp;
    private Range _id;
    private DateTimeOffset? _receivedValue;
    private DateTimeOffset? _timestampValue;
    private JsonElement? _parsed;
    private ProjectionNames? _names;

    private ProjectedEvent()
    {
        Dashboard = Section = Action = "";
        Priority = Priority.Normal; // stored lines leave out the default
    }

    /// <summary>The event's position in the log.</summary>
    public long Seq { get; private set; }

    /// <summary>When the log received it.</summary>
    public DateTimeOffset Received => _receivedValue ??= _received.End.Value == 0 ? default : Time(_received);

    /// <summary>The dashboard it was addressed to.</summary>
    public string Dashboard { get; private set; }

    /// <summary>The section it was addressed to.</summary>
    public string Section { get; private set; }

    /// <summary>What happened.</summary>
    public string Action { get; private set; }

    /// <summary>How urgent.</summary>
    public Priority Priority { get; private set; }

    /// <summary>When it happened: the agent's timestamp, or the receipt time when it sent none.</summary>
    public DateTimeOffset Timestamp => _timestampValue ??= _timestamp.End.Value == 0 ? Received : Time(_timestamp);

    /// <summary>The agent that wrote it, if it said.</summary>
    public string? Source { get; private set; }

    /// <summary>The client id, if any.</summary>
    public string? Id => _id.End.Value == 0 ? null : new Utf8JsonReader(_line.Span[_id]) is var reader && reader.Read() ? reader.GetString() : null;

    /// <summary>The content, parsed on first use (paths read <see cref="RawContent"/> without parsing it).</summary>
    public JsonElement Content => _parsed ??= _content.IsEmpty ? default : JsonElement.Parse(_content.Span);

    /// <summary>The content's JSON as stored; empty when the event had none.</summary>
    public ReadOnlyMemory<byte> RawContent => _content;

    /// <summary>Ids of the dashboard, section and action in the projector's names; -1 when not interned (or read alone).</summary>
    internal (int Dashboard, int Section, int Action) NameIds { get; private set; } = (-1, -1, -1);

    /// <summary>The projector's interned keys, when read by one.</summary>
    internal Utf8Names? Keys => _names?.Keys;

    /// <summary>Reads a stored line.</summary>
    /// <exception cref="FormatException">The line is not a stored event.</exception>
    public static ProjectedEvent Read(LogRecord record) => Read(record, null);

    /// <summary>Reads a stored line, interning its names in <paramref name="names"/>.</summary>
    /// <exception cref="FormatException">The line is not a stored event.</exception>
    internal static ProjectedEvent Read(LogRecord record, ProjectionNames? names)
    {
        var e = new ProjectedEvent { Seq = record.Seq, _line = record.Line, _names = names };
        try
        {
            if (!e.TryReadLayout(names))
            {
                e.ReadFields(names);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"Log line {record.Seq} is not a stored event: {ex.Message}", ex);
        }
        if (!e._hasDashboard || !e._hasSection || !e._hasAction)
        {
            throw new FormatException($"Log line {record.Seq} lacks dashboard, section or action.");
        }
        return e;
    }

    private bool _hasDashboard, _hasSection, _hasAction;

    private void ReadFields(ProjectionNames? names)
    {
        var line = _line.Span;
        var reader = new Utf8JsonReader(line);
        int dashboardId = -1, sectionId = -1, actionId = -1;
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
                    _received = Token(ref reader);
                    break;
                case 9 when name.SequenceEqual("dashboard"u8):
                    Dashboard = Name(ref reader, names?.Names, out dashboardId);
                    _hasDashboard = true;
                    break;
                case 7 when name.SequenceEqual("section"u8):
                    Section = Name(ref reader, names?.Names, out sectionId);
                    _hasSection = true;
                    break;
                case 6 when name.SequenceEqual("action"u8):
                    Action = Name(ref reader, names?.Names, out actionId);
                    _hasAction = true;
                    break;
                case 6 when name.SequenceEqual("source"u8):
                    Source = Name(ref reader, names?.Names, out _);
                    break;
                case 2 when name.SequenceEqual("id"u8):
                    _id = Token(ref reader);
                    break;
                case 8 when name.SequenceEqual("priority"u8):
                    _ = PriorityNames.TryParse(reader.ValueSpan, out var priority); // the log stored it valid
                    Priority = priority;
                    break;
                case 9 when name.SequenceEqual("timestamp"u8):
                    _timestamp = Token(ref reader);
                    break;
                case 7 when name.SequenceEqual("content"u8):
                    var start = (int)reader.TokenStartIndex;
                    IndexContent(ref reader, names, 0);
                    _content = _line[start..(int)reader.BytesConsumed];
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        NameIds = (dashboardId, sectionId, actionId);
    }

    /// <summary>A string token's range, quotes included, checked to be a string: parsed later if at all.</summary>
    private static Range Token(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new FormatException($"expected a string, found {reader.TokenType}");
        }
        return (int)reader.TokenStartIndex..(int)reader.BytesConsumed;
    }

    private static string Name(ref Utf8JsonReader reader, Utf8Names? names, out int id)
    {
        id = -1;
        if (names is null || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return reader.GetString()!; // the log writes names unescaped; anything else takes the general path
        }
        return names.Get(reader.ValueSpan, out id);
    }

    private DateTimeOffset Time(Range token)
    {
        var reader = new Utf8JsonReader(_line.Span[token]);
        reader.Read();
        return reader.GetDateTimeOffset();
    }
}
