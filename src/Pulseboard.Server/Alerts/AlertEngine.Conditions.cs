using System.Globalization;
using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Server.Alerts;

/// <summary>A firing alert instance as <c>GET /api/alerts</c>, the page and <c>/metrics</c> show it.</summary>
/// <param name="Id">The episode's id (as in its notices).</param>
/// <param name="Alert">The alert's name.</param>
/// <param name="Dashboard">Its dashboard.</param>
/// <param name="Section">The section it watches.</param>
/// <param name="Labels">Its labels (the source of a heartbeat alert).</param>
/// <param name="Summary">One line a person reads.</param>
/// <param name="Since">When it started firing.</param>
/// <param name="Silenced">Whether a silence covers it: shown, not notified.</param>
/// <param name="SilencedBy">The silences covering it, by id.</param>
/// <param name="Url">The dashboard page's path.</param>
/// <param name="NotifiedBy">The node that sends its notices: the alert lease's holder (<see cref="INotifyingLease"/>);
/// absent while no node holds it. Set as <c>/api/alerts</c> answers.</param>
internal sealed record AlertView(string Id, string Alert, string Dashboard, string? Section, IReadOnlyDictionary<string, string> Labels,
    string Summary, DateTimeOffset Since, bool Silenced, IReadOnlyList<string> SilencedBy, string Url, string? NotifiedBy = null);

internal sealed partial class AlertEngine
{
    /// <summary>One instance whose condition holds now, with its line of text.</summary>
    /// <param name="Alert">The alert.</param>
    /// <param name="Labels">The instance's labels.</param>
    /// <param name="Summary">Its line of text.</param>
    /// <param name="Since">When the condition started to hold, when the cache says so (a heartbeat's last-seen time plus
    /// its threshold); null when only the evaluation can tell (a value). Every node reads the same cache, so every node
    /// gives the episode the same start, hence the same id: a takeover sends notices a receiver can deduplicate.</param>
    private readonly record struct Holding(AlertDefinition Alert, SortedDictionary<string, string> Labels, string Summary, DateTimeOffset? Since = null);

    /// <summary>
    /// Evaluates the section alerts at <paramref name="now"/>: pending → firing after <c>for:</c>, a reminder every
    /// <c>repeat:</c>, resolved once false for a full <see cref="Interval"/>; true when the state changed.
    /// </summary>
    private bool EvaluateConditions(IReadOnlyList<DashboardDefinition> definitions, DateTimeOffset now)
    {
        var changed = false;
        var silences = _silences.Active;
        var alerts = new Dictionary<(string, string), AlertDefinition>();
        var holding = new Dictionary<string, Holding>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            foreach (var alert in definition.Alerts)
            {
                alerts[(alert.Dashboard, alert.Name)] = alert;
                foreach (var h in Holds(definition, alert, now))
                {
                    holding[AlertInstance.KeyOf(alert.Dashboard, alert.Name, h.Labels)] = h;
                }
            }
        }
        foreach (var (key, h) in holding)
        {
            if (!_instances.TryGetValue(key, out var instance))
            {
                instance = new AlertInstance
                {
                    Dashboard = h.Alert.Dashboard, Alert = h.Alert.Name, Section = h.Alert.Section, Labels = h.Labels,
                    Notify = [.. h.Alert.Notify], ActiveSince = h.Since is { } since && since <= now ? since : now,
                };
                _instances.Add(key, instance);
                changed = true;
            }
            instance.Summary = h.Summary;
            instance.Notify = [.. h.Alert.Notify];
            if (instance.ClearSince is not null)
            {
                instance.ClearSince = null; // true again before the resolve: no flapping, the episode goes on
                changed = true;
            }
            if (instance.FiredAt is null && now - instance.ActiveSince >= h.Alert.For)
            {
                // From the cache when it can be (the same on every node), else the evaluation's time.
                instance.FiredAt = h.Since is not null ? instance.ActiveSince + h.Alert.For : now;
                changed = true;
            }
            if (instance.FiredAt is { } firedAt && !IsSilenced(instance, silences, now)
                && (instance.LastSent is null || (h.Alert.Repeat is { } repeat && now - instance.LastSent >= repeat))
                && Send(Notice(instance, "firing", firedAt, null)))
            {
                instance.LastSent = now;
                changed = true;
            }
        }
        foreach (var (key, instance) in _instances.Where(i => !holding.ContainsKey(i.Key)).ToList())
        {
            if (instance.FiredAt is not { } firedAt)
            {
                _instances.Remove(key); // pending, never fired: nobody was told, nobody needs to be
                changed = true;
                continue;
            }
            if (instance.ClearSince is null)
            {
                instance.ClearSince = now;
                changed = true;
            }
            // Resolved only after the condition was false for a whole interval (at least two evaluations apart), and told
            // only to those who were told it fired. An alert removed from its definition resolves the same way.
            if (now - instance.ClearSince >= Interval
                && (instance.LastSent is null || Send(Notice(instance, "resolved", firedAt, instance.ClearSince))))
            {
                _instances.Remove(key);
                changed = true;
            }
        }
        _firing = [.. _instances.Values.Where(i => i.FiredAt is not null)
            .OrderBy(i => i.Dashboard, StringComparer.Ordinal).ThenBy(i => i.Alert, StringComparer.Ordinal).ThenBy(i => i.Key, StringComparer.Ordinal)
            .Select(i =>
            {
                var by = silences.Where(s => s.Matches(i.Dashboard, i.Alert, i.Labels, now)).Select(s => s.Id).ToList();
                return new AlertView(i.Id, i.Alert, i.Dashboard, i.Section, i.Labels, i.Summary, i.FiredAt!.Value, by.Count > 0, by, $"/d/{i.Dashboard}");
            })];
        return changed;
    }

    private static bool IsSilenced(AlertInstance instance, IReadOnlyList<Silence> silences, DateTimeOffset now) =>
        silences.Any(s => s.Matches(instance.Dashboard, instance.Alert, instance.Labels, now));

    private AlertNotice Notice(AlertInstance instance, string status, DateTimeOffset startsAt, DateTimeOffset? endsAt) =>
        new(instance.Id, status, instance.Alert, instance.Dashboard, instance.Section, instance.Labels,
            status == "resolved" ? $"resolved: {instance.Summary}" : instance.Summary, startsAt, endsAt, UrlOf(instance.Dashboard), instance.Notify);

    /// <summary>The instances of a section alert whose condition holds at <paramref name="now"/>, read from the served cache.</summary>
    private IEnumerable<Holding> Holds(DashboardDefinition definition, AlertDefinition alert, DateTimeOffset now)
    {
        if (!_caches.TryGet(definition.Id, out var cache))
        {
            yield break; // not projected yet: nothing to say
        }
        var samples = cache.Samples;
        switch (alert.When)
        {
            case StatusWhen status:
                var section = status.Section;
                foreach (var beat in samples.Beats.Where(b => b.Section == section.Id))
                {
                    var last = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(beat.Last * 1000));
                    var seen = HeartbeatSection.StatusAt(last, now, section.Every, section.Grace);
                    if (seen >= status.Status)
                    {
                        var after = status.Status == HeartbeatStatus.Down
                            ? HeartbeatSection.DownAfter(section.Every, section.Grace)
                            : HeartbeatSection.LateAfter(section.Every, section.Grace);
                        yield return new Holding(alert, new SortedDictionary<string, string>(StringComparer.Ordinal) { ["source"] = beat.Source },
                            $"{beat.Source} on {definition.Id}/{section.Id} is {(seen == HeartbeatStatus.Down ? "down" : "late")} (last seen {Time(last)})", last + after);
                    }
                }
                break;
            case ValueWhen value:
                var today = now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                double? number = samples.Values.Where(v => v.Section == value.Section.Id).Select(v => (double?)v.Value).LastOrDefault()
                    ?? samples.Days.Where(d => d.Section == value.Section.Id && d.Day == today).Select(d => (double?)d.Value).LastOrDefault();
                if (number is { } n && value.Holds(n))
                {
                    var line = value.Above is { } a && n > a ? $"above {Number(a)}" : $"below {Number(value.Below!.Value)}";
                    yield return new Holding(alert, new SortedDictionary<string, string>(StringComparer.Ordinal),
                        $"{value.Section.Title} on {definition.Id}/{value.Section.Id} is {Number(n)}, {line}");
                }
                break;
        }
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Number(double n) => n.ToString("0.####", CultureInfo.InvariantCulture);
}
