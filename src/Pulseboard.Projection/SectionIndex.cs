using Pulseboard.Projection.Caches;

namespace Pulseboard.Projection;

/// <summary>
/// Which sections an event can feed, found by its dashboard or its action instead of asking every section: a
/// section whose matchers all name a literal dashboard is filed under those dashboards; else, when they all name a
/// literal action, under those actions; else it is asked about every event. Built once per projector.
/// </summary>
internal sealed class SectionIndex
{
    private readonly Dictionary<string, (int Cache, int Section)[]> _byDashboard;
    private readonly Dictionary<string, (int Cache, int Section)[]> _byAction;
    private readonly (int Cache, int Section)[] _always;

    public SectionIndex(IReadOnlyList<DashboardCache> caches)
    {
        var byDashboard = new Dictionary<string, List<(int, int)>>(StringComparer.Ordinal);
        var byAction = new Dictionary<string, List<(int, int)>>(StringComparer.Ordinal);
        var always = new List<(int, int)>();
        for (var c = 0; c < caches.Count; c++)
        {
            var sections = caches[c].Definition.Sections;
            for (var s = 0; s < sections.Count; s++)
            {
                var from = sections[s].From;
                if (from.All(m => m.Dashboard.IsLiteral))
                {
                    File(byDashboard, from.Select(m => m.Dashboard.Pattern), (c, s));
                }
                else if (from.All(m => m.Action is { IsLiteral: true }))
                {
                    File(byAction, from.Select(m => m.Action!.Pattern), (c, s));
                }
                else
                {
                    always.Add((c, s));
                }
            }
        }
        _byDashboard = byDashboard.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _byAction = byAction.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _always = [.. always];
    }

    private static void File(Dictionary<string, List<(int, int)>> index, IEnumerable<string> keys, (int, int) entry)
    {
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = [];
            }
            list.Add(entry);
        }
    }

    /// <summary>The sections that may take <paramref name="e"/>: each still asks its matchers.</summary>
    public void Candidates(ProjectedEvent e, List<(int Cache, int Section)> into)
    {
        into.Clear();
        if (_byDashboard.TryGetValue(e.Dashboard, out var byDashboard))
        {
            into.AddRange(byDashboard);
        }
        if (_byAction.TryGetValue(e.Action, out var byAction))
        {
            into.AddRange(byAction);
        }
        into.AddRange(_always);
    }
}
