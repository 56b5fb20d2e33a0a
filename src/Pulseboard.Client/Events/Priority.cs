namespace Pulseboard;

/// <summary>How urgent an event is; ordered, so a matcher can ask for "at least high".</summary>
public enum Priority
{
    /// <summary><c>low</c>.</summary>
    Low,

    /// <summary><c>normal</c>, the default.</summary>
    Normal,

    /// <summary><c>high</c>.</summary>
    High,

    /// <summary><c>critical</c>.</summary>
    Critical,
}

/// <summary>The wire names of <see cref="Priority"/>.</summary>
internal static class PriorityNames
{
    /// <summary>The wire name of a priority: <c>low</c>, <c>normal</c>, <c>high</c> or <c>critical</c>.</summary>
    public static string ToWire(this Priority priority) => priority switch
    {
        Priority.Low => "low",
        Priority.High => "high",
        Priority.Critical => "critical",
        _ => "normal",
    };

    /// <summary>Reads a wire name; false for anything else (names are lower case).</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out Priority priority)
    {
        switch (utf8.Length)
        {
            case 3 when utf8.SequenceEqual("low"u8): priority = Priority.Low; return true;
            case 6 when utf8.SequenceEqual("normal"u8): priority = Priority.Normal; return true;
            case 4 when utf8.SequenceEqual("high"u8): priority = Priority.High; return true;
            case 8 when utf8.SequenceEqual("critical"u8): priority = Priority.Critical; return true;
            default: priority = Priority.Normal; return false;
        }
    }

    /// <summary>The names, in order, for messages and the schema.</summary>
    public static IReadOnlyList<string> All { get; } = ["low", "normal", "high", "critical"];
}
