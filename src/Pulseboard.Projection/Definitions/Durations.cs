using System.Globalization;

namespace Pulseboard.Projection.Definitions;

/// <summary>Durations as definitions write them: a whole number and a unit, <c>500ms</c>, <c>30s</c>, <c>15m</c>, <c>1h</c>, <c>7d</c>.</summary>
internal static class Durations
{
    /// <summary>Parses a duration; false for anything else.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        ArgumentNullException.ThrowIfNull(text);
        var unitStart = 0;
        while (unitStart < text.Length && char.IsAsciiDigit(text[unitStart]))
        {
            unitStart++;
        }
        if (unitStart == 0 || unitStart > 9 || !long.TryParse(text.AsSpan(0, unitStart), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }
        var unit = text[unitStart..];
        value = unit switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            _ => TimeSpan.MinValue,
        };
        return value != TimeSpan.MinValue && value > TimeSpan.Zero;
    }

    /// <summary>A duration as a definition would write it, in its largest whole unit: <c>15m</c>, <c>1h</c>, <c>7d</c>.</summary>
    internal static string ToText(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerDay == 0 ? $"{value.Ticks / TimeSpan.TicksPerDay}d"
        : value.Ticks % TimeSpan.TicksPerHour == 0 ? $"{value.Ticks / TimeSpan.TicksPerHour}h"
        : value.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{value.Ticks / TimeSpan.TicksPerMinute}m"
        : value.Ticks % TimeSpan.TicksPerSecond == 0 ? $"{value.Ticks / TimeSpan.TicksPerSecond}s"
        : $"{(long)value.TotalMilliseconds}ms";

    /// <summary>What a duration must look like, for messages.</summary>
    public const string Hint = "a whole number and a unit: 500ms, 30s, 15m, 1h or 7d";
}
