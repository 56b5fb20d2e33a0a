using System.Collections.Concurrent;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection;

/// <summary>A section that takes an event's address; <see cref="Certain"/> when no source or priority remains to check.</summary>
internal readonly record struct Candidate(int Cache, int Section, bool Certain);

/// <summary>
/// Which sections take an event, found once per address (dashboard, section, action) and then remembered: a replay
/// sees a few dozen addresses millions of times, so each event costs one lookup by the ids of its interned names
/// instead of asking every matcher's globs. Matchers that also name a source or a priority are still asked per event.
/// Built once per set of definitions (the projector's, or the server's for ingest).
/// </summary>
/// <remarks>
/// <see cref="For"/> is the projector's: one thread. <see cref="TakesAny(string, string, string, string?, Priority)"/>
/// is ingest's, safe from any thread: it remembers routes by the names themselves.
/// </remarks>
internal sealed class SectionIndex
{
    private const int MaxRoutes = 4096; // past it (a flood of distinct actions) addresses are worked out afresh
    private readonly IReadOnlyList<DashboardDefinition> _dashboards;
    private readonly Dictionary<long, Candidate[]> _routes = [];
    private readonly ConcurrentDictionary<(string, string, string), Candidate[]> _namedRoutes = new();

    public SectionIndex(IReadOnlyList<DashboardDefinition> dashboards) => _dashboards = dashboards;

    /// <summary>The sections that may take <paramref name="e"/>; each not <see cref="Candidate.Certain"/> still asks its matchers.</summary>
    public Candidate[] For(ProjectedEvent e)
    {
        var (dashboard, section, action) = e.NameIds;
        if (dashboard < 0 || section < 0 || action < 0)
        {
            return Route(e.Dashboard, e.Section, e.Action); // a name the projector did not intern: no id to remember the route by
        }
        // Ids are below Utf8Names.MaxNames (2^13): 21 bits each make a unique key.
        var key = ((long)dashboard << 42) | ((long)section << 21) | (uint)action;
        if (!_routes.TryGetValue(key, out var route))
        {
            route = Route(e.Dashboard, e.Section, e.Action);
            if (_routes.Count < MaxRoutes)
            {
                _routes[key] = route;
            }
        }
        return route;
    }

    /// <summary>Whether any section of any definition takes <paramref name="e"/> (the projector's thread, as <see cref="For"/>).</summary>
    public bool TakesAny(ProjectedEvent e)
    {
        foreach (var (c, s, certain) in For(e))
        {
            if (certain || _dashboards[c].Sections[s].Takes(e))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether any section of any definition takes an event with these fields: false for a stray event (a typo in
    /// its dashboard, section or action, or a definition not written yet). Safe from any thread.
    /// </summary>
    public bool TakesAny(string dashboard, string section, string action, string? source, Priority priority)
    {
        var key = (dashboard, section, action);
        if (!_namedRoutes.TryGetValue(key, out var route))
        {
            route = Route(dashboard, section, action);
            if (_namedRoutes.Count < MaxRoutes)
            {
                _namedRoutes.TryAdd(key, route);
            }
        }
        foreach (var (c, s, certain) in route)
        {
            if (certain || _dashboards[c].Sections[s].From.Any(m => m.IsMatch(dashboard, section, action, source, priority)))
            {
                return true;
            }
        }
        return false;
    }

    private Candidate[] Route(string dashboard, string section, string action)
    {
        var route = new List<Candidate>();
        for (var c = 0; c < _dashboards.Count; c++)
        {
            var sections = _dashboards[c].Sections;
            for (var s = 0; s < sections.Count; s++)
            {
                bool possible = false, certain = false;
                foreach (var matcher in sections[s].From)
                {
                    if (matcher.IsAddressMatch(dashboard, section, action))
                    {
                        possible = true;
                        certain |= !matcher.ChecksSourceOrPriority;
                    }
                }
                if (possible)
                {
                    route.Add(new Candidate(c, s, certain));
                }
            }
        }
        return [.. route];
    }
}
