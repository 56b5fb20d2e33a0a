using System.Globalization;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Server.Mcp;

/// <summary>What a section shows, in a sentence a model can act on: which fields of an event it reads and how.</summary>
internal static class SectionWords
{
    public static string Shows(SectionPlan section) => section switch
    {
        StatSection s => s.Text is not null
            ? $"the latest event's text \"{s.Text.Text}\"{(s.Value is null ? "" : $" and value {s.Value.Text}")}"
            : $"the latest value of {s.Value?.Text ?? "content"}",
        CounterSection s => s.Value is null ? "a count of the events it takes" : $"the running sum of {s.Value.Text} (a number)",
        FeedSection s => $"the newest {s.Max} events, newest first, each as \"{s.Text?.Text ?? "{action}: the content"}\""
            + (s.Key is null ? "" : $"; a later event with the same {s.Key.Text} replaces the earlier one")
            + Removal(s.RemoveOn, s.Key?.Text),
        TableSection s => $"up to {s.Max} rows keyed by {s.Key.Text}, with the columns {string.Join(", ", s.Columns.Select(c => $"{c.Label} ({c.Path.Text})"))}; a later event with the same key replaces its row"
            + Removal(s.RemoveOn, s.Key.Text),
        TimeseriesSection s => $"{Agg(s.Agg)}{(s.Agg == Aggregate.Count ? "" : " of " + (s.Value?.Text ?? "content"))} per {Span(s.Bucket)} over the last {Span(s.Window)}, as a chart",
        DailySection s => $"{(s.Value is null ? "the number of events" : "the sum of " + s.Value.Text)} per day ({s.TimeZone.Id}) over the last {s.Days} days",
        HeartbeatSection s => $"when each {s.Key.Text} was last seen: up within {Span(s.Every + s.Grace)}, late within {Span((3 * s.Every) + s.Grace)}, down after"
            + (s.Text is null ? "" : $", with the text \"{s.Text.Text}\""),
        _ => section.Kind,
    };

    private static string Removal(IReadOnlyList<string> removeOn, string? key) =>
        removeOn.Count == 0 ? "" : $"; an event with action {string.Join(" or ", removeOn)} removes the one with its {key ?? "key"}";

    private static string Agg(Aggregate agg) => agg switch
    {
        Aggregate.Sum => "the sum",
        Aggregate.Avg => "the mean",
        Aggregate.Min => "the minimum",
        Aggregate.Max => "the maximum",
        Aggregate.Count => "the number of events",
        _ => "the last value",
    };

    /// <summary>A duration as definitions write it: <c>90s</c> → <c>90s</c>, <c>1h</c>, <c>7d</c>.</summary>
    public static string Span(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? Whole(span.TotalDays, "d")
        : span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? Whole(span.TotalHours, "h")
        : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? Whole(span.TotalMinutes, "m")
        : Whole(Math.Round(span.TotalSeconds), "s");

    private static string Whole(double n, string unit) => n.ToString("0", CultureInfo.InvariantCulture) + unit;
}
