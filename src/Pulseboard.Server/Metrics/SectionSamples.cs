using System.Text.Json;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Server.Metrics;

/// <summary>
/// One cache's numbers for <c>/metrics</c>, read once when the cache changes (so a scrape parses nothing): what each
/// section's kind gives (<see cref="ISectionKind.Sample"/>): numeric stat values, counters, the latest timeseries bucket,
/// each daily section's latest day, heartbeat sources' last-seen times.
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
            var sink = new Sink();
            foreach (var section in sections.EnumerateObject())
            {
                if (SectionKinds.Find(section.Value.GetProperty("kind").GetString()) is { } kind)
                {
                    sink.Enter(section.Name, kind.Name);
                    kind.Sample(section.Value, sink);
                }
            }
            return new SectionSamples(sink.Values, sink.Counts, sink.Days, sink.Beats);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return None; // a cache edited by hand into another shape: no numbers, and /metrics still answers
        }
    }

    /// <summary>Gathers the samples of one section after another, each labelled with the section it came from.</summary>
    private sealed class Sink : ISampleSink
    {
        private string _section = "";
        private string _kind = "";
        private int _beats;

        public List<(string, string, double)> Values { get; } = [];

        public List<(string, double)> Counts { get; } = [];

        public List<(string, string, double)> Days { get; } = [];

        public List<(string, string, double)> Beats { get; } = [];

        public void Enter(string section, string kind) => (_section, _kind, _beats) = (section, kind, 0);

        public void Value(double value) => Values.Add((_section, _kind, value));

        public void Count(double events) => Counts.Add((_section, events));

        public void Day(string day, double value) => Days.Add((_section, day, value));

        public void LastSeen(string source, DateTimeOffset last)
        {
            if (_beats++ < MetricsEndpoints.MaxSources)
            {
                Beats.Add((_section, source, last.ToUnixTimeMilliseconds() / 1000.0));
            }
        }
    }
}
