using Pulseboard.Projection.Caches;

namespace Pulseboard.Projection;

/// <summary>A section that takes an event's address; <see cref="Certain"/> when no source or priority remains to check.</summary>
internal readonly record struct Candidate(int Cache, int Section, bool Certain);

/// <summary>
/// Which sections take an event, found once per address (dashboard, section, action) and then remembered: a replay
/// sees a few dozen addresses millions of times, so each event costs one lookup by the ids of its interned names
/// instead of asking every matcher's globs. Matchers that also name a source or a priority are still asked per event.
/// Built once per projector.
/// </summary>
internal sealed class SectionIndex
{
    private const int MaxRoutes = 4096; // past it (a flood of distinct actions) addresses are worked out afresh
    private readonly IReadOnlyList<DashboardCache> _caches;
    private readonly Dictionary<long, Candidate[]> _routes = [];

    public SectionIndex(IReadOnlyList<DashboardCache> caches) => _caches = caches;

    /// <summary>The sections that may take <paramref name="e"/>; each not <see cref="Candidate.Certain"/> still asks its matchers.</summary>
    public Candidate[] For(ProjectedEvent e)
    {
        var (dashboard, section, action) = e.NameIds;
        if (dashboard < 0 || section < 0 || action < 0)
        {
            return Route(e); // a name the projector did not intern: no id to remember the route by
        }
        // Ids are below Utf8Names.MaxNames (2^13): 21 bits each make a unique key.
        var key = ((long)dashboard << 42) | ((long)section << 21) | (uint)action;
        if (!_routes.TryGetValue(key, out var route))
        {
            route = Route(e);
            if (_routes.Count < MaxRoutes)
            {
                _routes[key] = route;
            }
        }
        return route;
    }

    private Candidate[] Route(ProjectedEvent e)
    {
        var route = new List<Candidate>();
        for (var c = 0; c < _caches.Count; c++)
        {
            var sections = _caches[c].Definition.Sections;
            for (var s = 0; s < sections.Count; s++)
            {
                bool possible = false, certain = false;
                foreach (var matcher in sections[s].From)
                {
                    if (matcher.IsAddressMatch(e))
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
