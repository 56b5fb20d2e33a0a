using System.Globalization;
using System.Text;
using Pulseboard.Log.Storage;
using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;
using Pulseboard.Server.Metrics;

namespace Pulseboard.Server.Export;

/// <summary>
/// <c>pulseboard prometheus-rules OUT</c>: the definitions' alerts as Prometheus alerting rules over Pulseboard's own
/// <c>/metrics</c>, for those who route alerts through Prometheus and Alertmanager. A status alert becomes heartbeat
/// staleness (<c>time() - pulseboard_heartbeat_last_seen_timestamp_seconds</c> past the section's late or down
/// threshold, <see cref="HeartbeatSection.LateAfter"/>/<see cref="HeartbeatSection.DownAfter"/>), an above/below alert
/// a comparison of <c>pulseboard_section_value</c>; an event alert has no equivalent (a scrape sees numbers, not events)
/// and is named in a comment instead.
/// </summary>
internal static class PrometheusRules
{
    /// <summary>The rules file's text: one group per dashboard with alerts.</summary>
    public static string Render(IEnumerable<DashboardDefinition> definitions)
    {
        var text = new StringBuilder();
        text.Append("# Pulseboard's alerts as Prometheus alerting rules over its /metrics; written by pulseboard prometheus-rules from\n")
            .Append("# the definitions (dashboards/*.yaml): write it again after changing them. Check it with: promtool check rules FILE\n")
            .Append("# repeat: has no rule equivalent; Alertmanager's repeat_interval does that.\n")
            .Append("groups:");
        var any = false;
        foreach (var definition in definitions.Where(d => d.Alerts.Count > 0).OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            any = true;
            text.Append("\n  - name: ").Append(Quote($"pulseboard-{definition.Id}")).Append("\n    rules:");
            var rules = 0;
            foreach (var alert in definition.Alerts)
            {
                if (alert.When is EventWhen events)
                {
                    text.Append("\n      # ").Append(alert.Name).Append(": an event alert (").Append(events.Matcher.ToWords().ReplaceLineEndings(" "))
                        .Append(") has no Prometheus equivalent: /metrics carries numbers, not events. Pulseboard notifies it itself.");
                    continue;
                }
                rules++;
                var (expr, summary) = alert.When switch
                {
                    StatusWhen s => Staleness(definition.Id, s),
                    ValueWhen v => Value(definition.Id, v),
                    _ => throw new InvalidOperationException($"an alert of a kind this export does not know: {alert.When}"),
                };
                text.Append("\n      - alert: ").Append(Exposition.Name($"pulseboard_{definition.Id}_{alert.Name}".Replace('-', '_')))
                    .Append("\n        expr: ").Append(Quote(expr))
                    .Append("\n        for: ").Append(Duration(alert.For))
                    .Append("\n        labels:")
                    .Append("\n          pulseboard_alert: ").Append(Quote(alert.Name))
                    .Append("\n          dashboard: ").Append(Quote(definition.Id))
                    .Append("\n          section: ").Append(Quote(alert.Section!))
                    .Append("\n          notify: ").Append(Quote(string.Join(",", alert.Notify)))
                    .Append("\n        annotations:")
                    .Append("\n          summary: ").Append(Quote(summary));
            }
            if (rules == 0)
            {
                text.Append(" []"); // a group of event alerts only: valid, and the comments say why it is empty
            }
        }
        if (!any)
        {
            text.Append(" []");
        }
        return text.Append('\n').ToString();
    }

    /// <summary>Writes the rules to <paramref name="path"/> atomically.</summary>
    public static void Write(IEnumerable<DashboardDefinition> definitions, string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.Write(full, Encoding.UTF8.GetBytes(Render(definitions)), fsync: false);
    }

    private static (string, string) Staleness(string dashboard, StatusWhen when)
    {
        var section = when.Section;
        var threshold = when.Status == HeartbeatStatus.Down
            ? HeartbeatSection.DownAfter(section.Every, section.Grace)
            : HeartbeatSection.LateAfter(section.Every, section.Grace);
        var word = when.Status == HeartbeatStatus.Down ? "down" : "late";
        return ($"time() - pulseboard_heartbeat_last_seen_timestamp_seconds{{dashboard=\"{dashboard}\",section=\"{section.Id}\"}} > {Number(threshold.TotalSeconds)}",
            $"{{{{ $labels.source }}}} on {dashboard}/{section.Id} is {word} (silent {{{{ $value | humanizeDuration }}}})");
    }

    private static (string, string) Value(string dashboard, ValueWhen when)
    {
        var series = $"pulseboard_section_value{{dashboard=\"{dashboard}\",section=\"{when.Section.Id}\"}}";
        var parts = new List<string>();
        if (when.Above is { } a)
        {
            parts.Add($"{series} > {Number(a)}");
        }
        if (when.Below is { } b)
        {
            parts.Add($"{series} < {Number(b)}");
        }
        var line = string.Join(" or ", parts.Select(p => parts.Count > 1 ? $"({p})" : p));
        var words = string.Join(" or ", new[] { when.Above is { } x ? $"above {Number(x)}" : null, when.Below is { } y ? $"below {Number(y)}" : null }.OfType<string>());
        return (line, $"{when.Section.Title.ReplaceLineEndings(" ")} on {dashboard}/{when.Section.Id} is {{{{ $value }}}}, {words}");
    }

    private static string Duration(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerSecond == 0 ? $"{(long)span.TotalSeconds}s" : $"{(long)span.TotalMilliseconds}ms";

    private static string Number(double n) => n.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A YAML single-quoted scalar: nothing in it is special but the quote, written twice.</summary>
    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
