using System.Globalization;
using System.Text.Json;

namespace Pulseboard.Projection.Definitions;

/// <summary>
/// A path to a value of an event: <c>content</c>, <c>content.x.y</c> (a number segment indexes an array),
/// or one of <c>dashboard, section, action, source, priority, timestamp, id, seq</c>.
/// </summary>
public sealed class ValuePath
{
    /// <summary>The event fields a path may start with.</summary>
    public static IReadOnlyList<string> Roots { get; } = ["content", "dashboard", "section", "action", "source", "priority", "timestamp", "id", "seq"];

    private readonly string _root;
    private readonly string[] _segments;

    private ValuePath(string text, string root, string[] segments)
    {
        Text = text;
        _root = root;
        _segments = segments;
    }

    /// <summary>The path as written.</summary>
    public string Text { get; }

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
        "content" => Walk(e.Content),
        "dashboard" => Value.Of(e.Dashboard),
        "section" => Value.Of(e.Section),
        "action" => Value.Of(e.Action),
        "source" => e.Source is null ? Value.Missing : Value.Of(e.Source),
        "priority" => Value.Of(e.Priority.ToWire()),
        "timestamp" => Value.Of(e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)),
        "id" => e.Id is null ? Value.Missing : Value.Of(e.Id),
        _ => Value.Of(e.Seq),
    };

    private Value Walk(JsonElement element)
    {
        foreach (var segment in _segments)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object when element.TryGetProperty(segment, out var child):
                    element = child;
                    break;
                case JsonValueKind.Array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < element.GetArrayLength():
                    element = element[index];
                    break;
                default:
                    return Value.Missing;
            }
        }
        return element.ValueKind == JsonValueKind.Undefined ? Value.Missing : Value.Of(element);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
