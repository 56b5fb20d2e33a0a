using System.Text.Json;

namespace Pulseboard.Server.Serving;

/// <summary>
/// The one place a cache becomes a line of the dashboard overview (<see cref="DashboardSummary"/>), for the server's
/// <c>GET /api/dashboards</c> and a static export's <c>caches/index.json</c> alike; it reads nothing but the cache.
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
        DashboardKey? key = null;
        var heartbeats = new List<HeartbeatSummary>();
        var critical = new List<(DateTimeOffset At, long Seq, CriticalItem Item)>();
        if (root.TryGetProperty("sections", out var sections) && sections.ValueKind == JsonValueKind.Object)
        {
            foreach (var section in sections.EnumerateObject())
            {
                var s = section.Value;
                var title = Text(s, "title") ?? section.Name;
                switch (Text(s, "kind"))
                {
                    case "stat" or "counter" when key is null:
                        key = new DashboardKey(section.Name, title, Text(s, "kind")!,
                            s.TryGetProperty("value", out var value) ? value.Clone() : null, Text(s, "text"), Text(s, "updated"));
                        break;
                    case "heartbeat":
                        heartbeats.Add(new HeartbeatSummary(section.Name, title, Number(s, "every") ?? 0, Number(s, "grace") ?? 0,
                            [.. Items(s, "sources").Select(source => new HeartbeatSeen(Text(source, "key") ?? "", Text(source, "last") ?? ""))]));
                        break;
                    case "feed":
                        foreach (var item in Items(s, "items").Where(i => Text(i, "priority") == "critical"))
                        {
                            var at = item.GetProperty("at");
                            critical.Add((at.GetDateTimeOffset(), Number(item, "seq") ?? 0, new CriticalItem(section.Name, Text(item, "text") ?? "", at.GetString()!)));
                        }
                        break;
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
            key,
            heartbeats,
            [.. critical.OrderByDescending(c => c.At).ThenByDescending(c => c.Seq).Take(MaxCritical).Select(c => c.Item)]);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static long? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var n) ? n : null;

    private static JsonElement[] Items(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array ? [.. p.EnumerateArray()] : [];
}
