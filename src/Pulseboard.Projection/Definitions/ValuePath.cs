using System.Globalization;
using System.Text.Json;

namespace Pulseboard.Projection.Definitions;

/// <summary>
/// A path to a value of an event: <c>content</c>, <c>content.x.y</c> (a number segment indexes an array),
/// or one of <c>dashboard, section, action, source, priority, timestamp, id, seq</c>.
/// </summary>
internal sealed class ValuePath
{
    /// <summary>The event fields a path may start with.</summary>
    public static IReadOnlyList<string> Roots { get; } = ["content", "dashboard", "section", "action", "source", "priority", "timestamp", "id", "seq"];

    /// <summary>The whole content.</summary>
    internal static ValuePath Content { get; } = new("content", "content", []);

    private readonly int _root; // the root's index in Roots: a switch on the string would hash it on every read
    private readonly string[] _segments;
    private readonly byte[][] _utf8Segments; // compared with property names as bytes: no transcoding per event
    private readonly bool _firstIsName; // content.x...: x looked up in the event's index of the content's properties

    private ValuePath(string text, string root, string[] segments)
    {
        Text = text;
        _root = Roots.Select((name, i) => (name, i)).First(r => r.name == root).i;
        _segments = segments;
        _utf8Segments = [.. segments.Select(System.Text.Encoding.UTF8.GetBytes)];
        _firstIsName = root == "content" && segments.Length > 0;
    }

    /// <summary>The path as written.</summary>
    public string Text { get; }

    /// <summary>The event field it starts with: one of <see cref="Roots"/>.</summary>
    internal string Root => Roots[_root];

    /// <summary>The segments below <see cref="Root"/> (<c>content.a.b</c>: a, b); empty for a field itself.</summary>
    internal IReadOnlyList<string> Segments => _segments;

    /// <summary>Parses a path, or says what is wrong with it.</summary>
    public static ValuePath? TryParse(string text, out string? error)
    {
        error = null;
        var parts = (text ?? "").Split('.');
        if (!Roots.Contains(parts[0]))
        {
            error = $"\"{text}\" is not a path; a path starts with one of {string.Join(", ", Roots)} (content.x.y reads into the content)";
            return null;
        }
        if (parts[0] != "content" && parts.Length > 1)
        {
            error = $"\"{text}\" is not a path: only content has fields below it";
            return null;
        }
        if (parts.Skip(1).Any(p => p.Length == 0))
        {
            error = $"\"{text}\" has an empty segment; write content.a.b";
            return null;
        }
        return new ValuePath(text!, parts[0], parts[1..]);
    }

    /// <summary>Reads the value from an event; <see cref="Value.Missing"/> when the path leads nowhere.</summary>
    public Value Read(ProjectedEvent e) => _root switch
    {
        0 => _firstIsName ? ReadContent(e) : Walk(e.RawContent, 0),
        1 => Value.Of(e.Dashboard),
        2 => Value.Of(e.Section),
        3 => Value.Of(e.Action),
        4 => e.Source is null ? Value.Missing : Value.Of(e.Source),
        5 => Value.Of(e.Priority.ToWire()),
        6 => Value.Of(e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)),
        7 => e.Id is null ? Value.Missing : Value.Of(e.Id),
        _ => Value.Of(e.Seq),
    };

    /// <summary>
    /// The first segment from the index the event's read made of the content's properties (a number segment indexes
    /// an array, and an object has no such property: neither is in the index), the rest by walking.
    /// </summary>
    private Value ReadContent(ProjectedEvent e)
    {
        if (!e.TryGetContentProperty(_utf8Segments[0], out var value, out var indexed))
        {
            return indexed ? Value.Missing : Walk(e.RawContent, 0);
        }
        return Walk(value, 1);
    }

    /// <summary>Follows the segments from <paramref name="first"/> on through the JSON's bytes, without building a document.</summary>
    private Value Walk(ReadOnlyMemory<byte> json, int first)
    {
        if (json.IsEmpty)
        {
            return Value.Missing;
        }
        for (var i = first; i < _segments.Length; i++)
        {
            var reader = new Utf8JsonReader(json.Span);
            reader.Read();
            var found = reader.TokenType switch
            {
                JsonTokenType.StartObject => FindProperty(ref reader, _utf8Segments[i]),
                JsonTokenType.StartArray when int.TryParse(_segments[i], NumberStyles.None, CultureInfo.InvariantCulture, out var index) => FindItem(ref reader, index),
                _ => false,
            };
            if (!found)
            {
                return Value.Missing;
            }
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            json = json[start..(int)reader.BytesConsumed];
        }
        return Value.OfJson(json);
    }

    /// <summary>Moves the reader onto the value of property <paramref name="name"/> of the object it starts.</summary>
    private static bool FindProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match)
            {
                return true;
            }
            reader.Skip();
        }
        return false;
    }

    /// <summary>Moves the reader onto item <paramref name="index"/> of the array it starts.</summary>
    private static bool FindItem(ref Utf8JsonReader reader, int index)
    {
        for (var i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
        {
            if (i == index)
            {
                return true;
            }
            reader.Skip();
        }
        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
