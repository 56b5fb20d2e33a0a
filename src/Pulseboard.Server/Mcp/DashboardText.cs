using System.Globalization;
using System.Text;
using System.Text.Json;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server.Mcp;

/// <summary>
/// A dashboard's current values as compact text for a model (<c>read_dashboard</c>): one block per section, the
/// newest items first and capped, times with their age. Read from the cache alone, like a page.
/// </summary>
/// <remarks>
/// Every text that came from an event is untrusted: it is shown quoted and escaped (no line breaks, no control or
/// bidirectional characters, at most <see cref="MaxText"/> characters), so it cannot pass for a line of this answer.
/// </remarks>
internal static class DashboardText
{
    public const int MaxText = 200;
    private const int MaxItems = 10;
    private const int MaxRows = 20;
    private const int MaxPoints = 12;
    private const int MaxDays = 7;

    /// <summary>The header line: title, freshness, the last event and its seq.</summary>
    public static string Freshness(DashboardSummary? summary, DateTimeOffset now)
    {
        if (summary?.LastUpdate is not { } last || !DateTimeOffset.TryParse(last, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            return "no events yet";
        }
        var age = now - at;
        var stale = summary.StaleAfter is { } after && age.TotalSeconds > after;
        return $"{(stale ? "stale" : "fresh")}: last event {Ago(at, now)} (seq {summary.Position})"
            + (summary.StaleAfter is { } s ? $", stale after {SectionWords.Span(TimeSpan.FromSeconds(s))} without one" : "");
    }

    public static string Render(string id, McpCache cache, DateTimeOffset now)
    {
        var text = new StringBuilder();
        text.Append(Quoted(cache.Summary.Title)).Append(" (").Append(id).Append("): ").Append(Freshness(cache.Summary, now)).Append('\n');
        try
        {
            using var document = JsonDocument.Parse(cache.Bytes);
            if (document.RootElement.TryGetProperty("sections", out var sections) && sections.ValueKind == JsonValueKind.Object)
            {
                foreach (var section in sections.EnumerateObject())
                {
                    text.Append('\n');
                    Section(text, section.Name, section.Value, now);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or IndexOutOfRangeException)
        {
            text.Append("(the rest of this cache could not be read)\n");
        }
        return text.ToString();
    }

    private static void Section(StringBuilder text, string id, JsonElement s, DateTimeOffset now)
    {
        var kind = Str(s, "kind") ?? "?";
        text.Append(id).Append(" — ").Append(kind).Append(' ').Append(Quoted(Str(s, "title") ?? id));
        if (Str(s, "updated") is not { } updated)
        {
            text.Append(": no events yet (").Append(Str(s, "from") ?? "").Append(")\n");
            return;
        }
        text.Append(", updated ").Append(Ago(updated, now)).Append(":\n");
        switch (kind)
        {
            case "stat":
                text.Append("  ").Append(Str(s, "text") is { } statText ? Quoted(statText) : Value(s, "value")).Append('\n');
                break;
            case "counter":
                text.Append("  ").Append(Value(s, "value")).Append(" from ").Append(Value(s, "count")).Append(" events\n");
                break;
            case "feed":
                var items = Array(s, "items");
                foreach (var item in items.Take(MaxItems))
                {
                    text.Append("  - [").Append(Str(item, "priority")).Append("] ").Append(Quoted(Str(item, "text") ?? ""))
                        .Append(Str(item, "source") is { } source ? " from " + Quoted(source) : "").Append(", ").Append(Ago(Str(item, "at"), now)).Append('\n');
                }
                More(text, items.Length, MaxItems, "items");
                break;
            case "table":
                text.Append("  columns: ").Append(string.Join(" | ", Array(s, "columns").Select(c => Quoted(c.GetString() ?? "")))).Append('\n');
                var rows = Array(s, "rows");
                foreach (var row in rows.Take(MaxRows))
                {
                    text.Append("  - ").Append(string.Join(" | ", Array(row, "cells").Select(Cell))).Append(", ").Append(Ago(Str(row, "at"), now)).Append('\n');
                }
                More(text, rows.Length, MaxRows, "rows");
                break;
            case "timeseries":
                var points = Array(s, "points");
                text.Append("  ").Append(Str(s, "agg")).Append(" per ").Append(SectionWords.Span(TimeSpan.FromSeconds(Number(s, "bucket")))).Append(", oldest first: ")
                    .Append(string.Join(", ", points.Skip(Math.Max(0, points.Length - MaxPoints))
                        .Select(p => $"{DateTimeOffset.FromUnixTimeSeconds(p[0].GetInt64()).ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)} {p[1].GetRawText()}")))
                    .Append(points.Length > MaxPoints ? $" (the last {MaxPoints} of {points.Length} points)" : "").Append('\n');
                break;
            case "daily":
                var days = Array(s, "values");
                text.Append("  per day, oldest first: ")
                    .Append(string.Join(", ", days.Skip(Math.Max(0, days.Length - MaxDays)).Select(d => $"{d[0].GetString()} {d[1].GetRawText()}")))
                    .Append(days.Length > MaxDays ? $" (the last {MaxDays} of {days.Length} days)" : "").Append('\n');
                break;
            case "heartbeat":
                var every = TimeSpan.FromSeconds(Number(s, "every"));
                var grace = TimeSpan.FromSeconds(Number(s, "grace"));
                var sources = Array(s, "sources");
                foreach (var source in sources.Take(MaxRows))
                {
                    var last = Str(source, "last");
                    var status = DateTimeOffset.TryParse(last, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                        ? Projection.Sections.HeartbeatSection.StatusAt(at, now, every, grace).ToString().ToLowerInvariant() : "?";
                    text.Append("  - ").Append(Quoted(Str(source, "key") ?? "")).Append(' ').Append(status).Append(", last seen ").Append(Ago(last, now))
                        .Append(Str(source, "text") is { } beat ? ": " + Quoted(beat) : "").Append('\n');
                }
                More(text, sources.Length, MaxRows, "sources");
                break;
        }
    }

    private static void More(StringBuilder text, int count, int shown, string what)
    {
        if (count == 0)
        {
            text.Append("  (no ").Append(what).Append(")\n");
        }
        else if (count > shown)
        {
            text.Append("  (").Append(count - shown).Append(" more ").Append(what).Append(" not shown)\n");
        }
    }

    private static string Cell(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.String => Quoted(cell.GetString()!),
        JsonValueKind.Null => "—",
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => cell.GetRawText(),
        _ => Quoted(cell.GetRawText()),
    };

    private static string Value(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) ? Cell(value) : "—";

    /// <summary>An untrusted text, quoted and escaped as a JSON string (without HTML escaping), cut to <see cref="MaxText"/>.</summary>
    public static string Quoted(string value)
    {
        var cut = value.Length > MaxText ? value[..MaxText] + "…" : value;
        var clean = new StringBuilder(cut.Length + 2).Append('"');
        foreach (var c in cut)
        {
            _ = c switch
            {
                '"' => clean.Append("\\\""),
                '\\' => clean.Append("\\\\"),
                '\n' => clean.Append("\\n"),
                '\r' => clean.Append("\\r"),
                '\t' => clean.Append("\\t"),
                _ when char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u2028' or '\u2029'
                    => clean.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => clean.Append(c),
            };
        }
        return clean.Append('"').ToString();
    }

    /// <summary><c>3 min ago (2026-11-22T14:03:00Z)</c>.</summary>
    public static string Ago(string? time, DateTimeOffset now) =>
        DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? Ago(at, now) : "at an unknown time";

    private static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var age = now - at;
        var words = age < TimeSpan.Zero ? "in the future"
            : age.TotalSeconds < 90 ? $"{(int)age.TotalSeconds} s ago"
            : age.TotalMinutes < 90 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours} h ago"
            : $"{(int)age.TotalDays} days ago";
        return $"{words} ({at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)})";
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static long Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var n) ? n : 0;

    private static JsonElement[] Array(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array ? [.. p.EnumerateArray()] : [];
}
