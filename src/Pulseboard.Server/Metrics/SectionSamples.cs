using System.Text.Json;

namespace Pulseboard.Server.Metrics;

/// <summary>
/// One cache's numbers for <c>/metrics</c>, read once when the cache changes (so a scrape parses nothing): numeric stat
/// values, counters, the latest timeseries bucket, each daily section's latest day, heartbeat sources' last-seen times.
/// </summary>
/// <param name="Values">Section, kind and value.</param>
/// <param name="Counts">Counter sections and their event counts.</param>
/// <param name="Days">Daily sections: their latest day (yyyy-MM-dd) and its value; a scrape keeps only today's.</param>
/// <param name="Beats">Heartbeat sources, at most <see cref="MetricsEndpoints.MaxSources"/> a section, last seen in Unix seconds.</param>
internal sealed record SectionSamples(
    IReadOnlyList<(string Section, string Kind, double Value)> Values,
    IReadOnlyList<(string Section, double Count)> Counts,
    IReadOnlyList<(string Section, string Day, double Value)> Days,
    IReadOnlyList<(string Section, string Source, double Last)> Beats)
{
    public static SectionSamples None { get; } = new([], [], [], []);

    /// <summary>The samples of a parsed cache (null when it is not JSON); none for an orphaned or unreadable cache.</summary>
    public static SectionSamples Read(JsonElement? root)
    {
        try
        {
            if (root is not { ValueKind: JsonValueKind.Object } cache || !cache.TryGetProperty("sections", out var sections) || cache.TryGetProperty("orphaned", out _))
            {
                return None;
            }
            var values = new List<(string, string, double)>();
            var counts = new List<(string, double)>();
            var days = new List<(string, string, double)>();
            var beats = new List<(string, string, double)>();
            foreach (var section in sections.EnumerateObject())
            {
                var s = section.Value;
                switch (s.GetProperty("kind").GetString())
                {
                    case "stat" when s.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number:
                        values.Add((section.Name, "stat", v.GetDouble()));
                        break;
                    case "counter":
                        values.Add((section.Name, "counter", s.GetProperty("value").GetDouble()));
                        counts.Add((section.Name, s.GetProperty("count").GetDouble()));
                        break;
                    case "timeseries" when s.GetProperty("points").GetArrayLength() > 0:
                        var points = s.GetProperty("points");
                        values.Add((section.Name, "timeseries", points[points.GetArrayLength() - 1][1].GetDouble()));
                        break;
                    case "daily" when s.GetProperty("values").GetArrayLength() > 0:
                        var all = s.GetProperty("values");
                        var last = all[all.GetArrayLength() - 1];
                        days.Add((section.Name, last[0].GetString()!, last[1].GetDouble()));
                        break;
                    case "heartbeat":
                        foreach (var source in s.GetProperty("sources").EnumerateArray().Take(MetricsEndpoints.MaxSources))
                        {
                            beats.Add((section.Name, source.GetProperty("key").GetString()!, source.GetProperty("last").GetDateTimeOffset().ToUnixTimeMilliseconds() / 1000.0));
                        }
                        break;
                }
            }
            return new SectionSamples(values, counts, days, beats);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return None; // a cache edited by hand into another shape: no numbers, and /metrics still answers
        }
    }
}
