using System.Text.Json;
using Pulseboard.Projection.Sections;
using static Pulseboard.Projection.Caches.CacheJson;

namespace Pulseboard.Server.Serving;

/// <summary>
/// The one place a cache becomes a line of the dashboard overview (<see cref="DashboardSummary"/>), for the server's
/// <c>GET /api/dashboards</c> and a static export's <c>caches/index.json</c> alike; it reads nothing but the cache. What a
/// section adds (the key figure, heartbeats, critical items) its kind says (<see cref="ISectionKind.Summarize"/>).
/// </summary>
/// <remarks>
/// Statuses are not computed here: heartbeats carry last-seen times and critical items their times, and the page
/// compares them with its own clock, so a static site whose publisher stopped still tells the truth.
/// </remarks>
internal static class DashboardOverview
{
    /// <summary>The most critical items listed per dashboard.</summary>
    public const int MaxCritical = 20;

    /// <summary>The overview of one cache; a cache that cannot be read gives its id and nothing else.</summary>
    public static DashboardSummary Read(string id, ReadOnlyMemory<byte> cache, string url)
    {
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(cache);
        }
        catch (JsonException)
        {
        }
        using (document)
        {
            return Read(id, document?.RootElement, url);
        }
    }

    /// <summary>The same, from a cache already parsed (null when it is not JSON): the server parses each change once.</summary>
    public static DashboardSummary Read(string id, JsonElement? root, string url)
    {
        try
        {
            return root is { } cache ? Summarize(id, cache, url) : Unreadable(id, url);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return Unreadable(id, url);
        }
    }

    private static DashboardSummary Unreadable(string id, string url) =>
        new(id, id, null, 0, url, null, 60, null, null, null, [], []); // hand-edited or torn: listed, not shown

    /// <summary>Orders the list as pages show it: by <c>order</c> (those without last), then title ignoring case, then id.</summary>
    public static List<DashboardSummary> Sort(IEnumerable<DashboardSummary> summaries) =>
        [.. summaries
            .OrderBy(s => s.Order is null)
            .ThenBy(s => s.Order)
            .ThenBy(s => s.Title, StringComparer.OrdinalIgnoreCase)
            .ThenBy(s => s.Id, StringComparer.Ordinal)];

    private static DashboardSummary Summarize(string id, JsonElement root, string url)
    {
        var sink = new Sink();
        if (root.TryGetProperty("sections", out var sections) && sections.ValueKind == JsonValueKind.Object)
        {
            foreach (var section in sections.EnumerateObject())
            {
                var s = section.Value;
                if (SectionKinds.Find(Text(s, "kind")) is { } kind)
                {
                    sink.Enter(section.Name, Text(s, "title") ?? section.Name, kind.Name, Text(s, "updated"));
                    kind.Summarize(s, sink);
                }
            }
        }
        return new DashboardSummary(
            id,
            Text(root, "title") ?? id,
            Text(root, "lastUpdate"),
            Number(root, "position") ?? 0,
            url,
            root.TryGetProperty("order", out var order) && order.ValueKind == JsonValueKind.Number && order.TryGetInt32(out var o) ? o : null,
            Number(root, "refresh") ?? 60,
            Number(root, "staleAfter"),
            Text(root, "generated"),
            sink.KeyFigure,
            sink.Heartbeats,
            [.. sink.Critical.OrderByDescending(c => c.At).ThenByDescending(c => c.Seq).Take(MaxCritical).Select(c => c.Item)]);
    }

    /// <summary>Gathers what each section's kind adds to the line, labelled with the section it came from.</summary>
    private sealed class Sink : IOverviewSink
    {
        private (string Id, string Title, string Kind, string? Updated) _section = ("", "", "", null);

        public DashboardKey? KeyFigure { get; private set; }

        public List<HeartbeatSummary> Heartbeats { get; } = [];

        public List<(DateTimeOffset At, long Seq, CriticalItem Item)> Critical { get; } = [];

        public void Enter(string id, string title, string kind, string? updated) => _section = (id, title, kind, updated);

        public void Key(JsonElement? value, string? text) =>
            KeyFigure ??= new DashboardKey(_section.Id, _section.Title, _section.Kind, value, text, _section.Updated);

        void IOverviewSink.Heartbeats(long every, long grace, IReadOnlyList<(string Key, string Last)> sources) =>
            Heartbeats.Add(new HeartbeatSummary(_section.Id, _section.Title, every, grace, [.. sources.Select(s => new HeartbeatSeen(s.Key, s.Last))]));

        void IOverviewSink.Critical(DateTimeOffset at, string atText, long seq, string text) =>
            Critical.Add((at, seq, new CriticalItem(_section.Id, text, atText)));
    }
}
