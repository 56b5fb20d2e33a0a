using System.Text.Json;

namespace Pulseboard.Server.Mcp;

/// <summary>
/// A tool call's arguments, read by name with every problem collected (an unknown name, a missing one, a wrong type)
/// so the model gets them all in one answer.
/// </summary>
internal sealed class ToolArguments
{
    private readonly IDictionary<string, JsonElement> _arguments;

    /// <summary>Checks the names: each one not in <paramref name="names"/> is a problem.</summary>
    public ToolArguments(string tool, IDictionary<string, JsonElement>? arguments, IReadOnlyList<string> names)
    {
        _arguments = arguments ?? new Dictionary<string, JsonElement>();
        foreach (var name in _arguments.Keys.Where(n => !names.Contains(n)).Order(StringComparer.Ordinal))
        {
            Errors.Add(name == "timestamp"
                ? "timestamp: not an argument; the log stamps the time an event is received"
                : $"{EventRules.Quote(name)}: unknown argument; {tool} takes {(names.Count == 0 ? "none" : string.Join(", ", names))}");
        }
    }

    /// <summary>Every problem found so far, each starting with the argument's name.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>The argument as sent, or null when absent (or sent as JSON null).</summary>
    public JsonElement? Raw(string name) =>
        _arguments.TryGetValue(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value : null;

    /// <summary>A string argument; a missing required one, or one of another type, is a problem.</summary>
    public string? Text(string name, string what)
    {
        if (Raw(name) is not { } value)
        {
            Errors.Add($"{name}: is required: {what}");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            Errors.Add($"{name}: must be a string ({what}), not {Describe(value)}");
            return null;
        }
        return value.GetString();
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
