using System.Text;
using System.Text.Json;

namespace Pulseboard;

/// <summary>One rule an event broke: the field and a message that says what to fix.</summary>
/// <param name="Field">The field, as named on the wire (<c>dashboard</c>, <c>content</c>, or <c>""</c> for the whole event).</param>
/// <param name="Message">The whole message, starting with the field: <c>dashboard: "../etc" is not a slug (^[a-z0-9][a-z0-9-]{0,62}$)</c>.</param>
public sealed record EventError(string Field, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => Message;
}

/// <summary>
/// The rules of the event contract (DESIGN.md), checked without regular expressions or allocation when the event is valid.
/// </summary>
/// <remarks>The JSON Schema (<see cref="EventSchema"/>) states the same rules; tests hold the two together.</remarks>
internal static class EventRules
{
    /// <summary>The slug rule for dashboard and section ids.</summary>
    public const string SlugPattern = "^[a-z0-9][a-z0-9-]{0,62}$";

    /// <summary>The rule for action and source names.</summary>
    public const string NamePattern = "^[A-Za-z0-9_.:-]{1,64}$";

    /// <summary>The longest client id, in characters.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The default limit of one serialized event, in bytes (64 KiB).</summary>
    public const int DefaultMaxEventBytes = 64 * 1024;

    /// <summary>Whether <paramref name="value"/> is a slug: <c>^[a-z0-9][a-z0-9-]{0,62}$</c>.</summary>
    public static bool IsSlug(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > 63 || value[0] == '-')
        {
            return false;
        }
        foreach (var c in value)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether <paramref name="value"/> is a name: <c>^[A-Za-z0-9_.:-]{1,64}$</c>.</summary>
    public static bool IsName(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > 64)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Checks every field of <paramref name="e"/> and returns the first rule it breaks, or null.</summary>
    public static EventError? Check(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!IsSlug(e.Dashboard))
        {
            return NotSlug("dashboard", e.Dashboard);
        }
        if (!IsSlug(e.Section))
        {
            return NotSlug("section", e.Section);
        }
        if (!IsName(e.Action))
        {
            return NotName("action", e.Action);
        }
        if (e.Source is not null && !IsName(e.Source))
        {
            return NotName("source", e.Source);
        }
        if (e.Id is not null && (e.Id.Length is 0 or > MaxIdLength))
        {
            return new EventError("id", $"id: must be 1 to {MaxIdLength} characters long, not {e.Id.Length}");
        }
        if (!Enum.IsDefined(e.Priority))
        {
            return NotPriority(((int)e.Priority).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return null;
    }

    internal static EventError NotSlug(string field, string? value) =>
        new(field, value is null
            ? $"{field}: is required, a slug ({SlugPattern})"
            : $"{field}: {Quote(value)} is not a slug ({SlugPattern})");

    internal static EventError NotName(string field, string? value) =>
        new(field, value is null
            ? $"{field}: is required, a name ({NamePattern})"
            : $"{field}: {Quote(value)} is not a name ({NamePattern})");

    internal static EventError NotPriority(string value) =>
        new("priority", $"priority: {Quote(value)} is not one of {string.Join(", ", PriorityNames.All)}");

    /// <summary>The error for an event of <paramref name="bytes"/> over the limit of <paramref name="limit"/>.</summary>
    public static EventError TooLarge(int bytes, int limit) =>
        new("", $"event: {bytes} bytes serialized, over the limit of {limit} bytes; send less content or raise the limit");

    /// <summary>
    /// Quotes an untrusted value for a message: JSON-escaped (no control characters, no markup) and cut to 64 characters.
    /// </summary>
    public static string Quote(string value)
    {
        const int Max = 64;
        var cut = value.Length > Max ? value[..Max] : value;
        var json = JsonSerializer.Serialize(cut, EventJsonContext.Default.String);
        return value.Length > Max ? json.Insert(json.Length - 1, "…") : json;
    }

    internal static string Utf8ToQuoted(ReadOnlySpan<byte> utf8) =>
        Quote(Encoding.UTF8.GetString(utf8));
}
