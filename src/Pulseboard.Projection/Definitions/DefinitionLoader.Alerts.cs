using System.Globalization;
using Pulseboard.Projection.Sections;
using YamlDotNet.RepresentationModel;

namespace Pulseboard.Projection.Definitions;

internal static partial class DefinitionLoader
{
    private static readonly string[] s_alertKeys = ["when", "notify", "for", "repeat"];
    private static readonly System.Text.RegularExpressions.Regex s_zero = new("^0+(ms|s|m|h|d)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    private static readonly string[] s_whenKeys = ["section", "status", "above", "below", "event"];

    /// <summary>
    /// Reads <c>alerts:</c>, a map of alert names to <c>{when, notify, for, repeat}</c>, against the sections already
    /// read (an alert names one of them). Absent, a definition has no alerts.
    /// </summary>
    private static List<AlertDefinition> ReadAlerts(Reader reader, string dashboard, YamlMappingNode root, IReadOnlyList<SectionPlan> sections)
    {
        var alerts = new List<AlertDefinition>();
        var node = Reader.Child(root, "alerts");
        if (node is null)
        {
            return alerts;
        }
        // Sections declared but not compiled (each with problems of its own) are not "unknown" to an alert.
        HashSet<string> declared = Reader.Child(root, "sections") is YamlMappingNode sectionNodes
            ? [.. sectionNodes.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "")]
            : [];
        if (node is not YamlMappingNode map)
        {
            reader.Error(node.Start.Line, "alerts", "must be a mapping of alert names to { when: ..., notify: [...] } (see docs/DEFINITIONS.md)");
            return alerts;
        }
        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value;
            if (name is null || !EventRules.IsSlug(name))
            {
                reader.Error(key.Start.Line, "alerts", $"an alert's name must be a slug ({EventRules.SlugPattern}), like model-down");
                continue;
            }
            var field = $"alerts.{name}";
            if (value is not YamlMappingNode alert)
            {
                reader.Error(value.Start.Line, field, "must be a mapping with when: and notify:");
                continue;
            }
            if (ReadAlert(reader, dashboard, name, field, alert, sections, declared) is { } read)
            {
                alerts.Add(read);
            }
        }
        return alerts;
    }

    private static AlertDefinition? ReadAlert(Reader reader, string dashboard, string name, string field, YamlMappingNode node, IReadOnlyList<SectionPlan> sections, HashSet<string> declared)
    {
        var before = reader.Count;
        reader.CheckKeys(node, field + ".", s_alertKeys, "an alert");
        var when = ReadWhen(reader, dashboard, field + ".when", node, sections, declared);
        var notify = ReadNotify(reader, field + ".notify", node);
        var hold = ZeroOrDuration(reader, node, "for", field + ".for");
        var repeat = reader.Duration(node, "repeat", field + ".repeat");
        if (repeat is { } r && r < TimeSpan.FromSeconds(1))
        {
            reader.Error(Reader.Child(node, "repeat")!.Start.Line, field + ".repeat", "must be at least 1s (a reminder while the alert stays firing), e.g. 4h");
        }
        if (when is EventWhen && (Reader.Child(node, "for") is not null || Reader.Child(node, "repeat") is not null))
        {
            reader.Error(node.Start.Line, field, "an event alert notifies once per event: for: and repeat: do not apply to it; remove them");
        }
        if (when is null || reader.Count > before)
        {
            return null;
        }
        return new AlertDefinition
        {
            Name = name, Dashboard = dashboard, When = when, Notify = notify, For = hold ?? TimeSpan.Zero, Repeat = repeat,
            NotifyLine = (int)(Reader.Child(node, "notify")?.Start.Line ?? node.Start.Line),
        };
    }

    private static AlertWhen? ReadWhen(Reader reader, string dashboard, string field, YamlMappingNode alert, IReadOnlyList<SectionPlan> sections, HashSet<string> declared)
    {
        var node = Reader.Child(alert, "when");
        if (node is not YamlMappingNode when)
        {
            reader.Error(node?.Start.Line ?? alert.Start.Line, field,
                $"{(node is null ? "is required" : "must be a mapping")}: {{ section: nodes, status: down }}, {{ section: spend, above: 500 }} or {{ event: {{ priority: critical }} }}");
            return null;
        }
        reader.CheckKeys(when, field + ".", s_whenKeys, "an alert's when");
        var eventNode = Reader.Child(when, "event");
        var sectionId = reader.Text(when, "section", field + ".section");
        if (eventNode is not null)
        {
            if (Reader.Child(when, "section") is not null || Reader.Child(when, "status") is not null || Reader.Child(when, "above") is not null || Reader.Child(when, "below") is not null)
            {
                reader.Error(when.Start.Line, field, "takes either event: (a matcher) or section: with status:, above: or below:, not both; split it into two alerts");
                return null;
            }
            if (eventNode is not YamlMappingNode matcher)
            {
                reader.Error(eventNode.Start.Line, field + ".event", "must be a matcher, the syntax of from:, like { priority: critical } or { dashboard: \"*\", action: \"deploy_*\" }");
                return null;
            }
            return new EventWhen(ReadMatcher(reader, dashboard, field + ".event", matcher));
        }
        if (sectionId is null)
        {
            reader.Error(when.Start.Line, field, "needs section: (with status: or above:/below:) or event: (a matcher)");
            return null;
        }
        var section = sections.FirstOrDefault(s => s.Id == sectionId);
        var sectionLine = Reader.Child(when, "section")!.Start.Line;
        if (section is null && declared.Contains(sectionId))
        {
            return null; // the section is there but has problems of its own, reported where it is
        }
        if (section is null)
        {
            reader.Error(sectionLine, field + ".section",
                $"\"{sectionId}\" is not a section of this definition; the sections are {(sections.Count == 0 ? "none" : string.Join(", ", sections.Select(s => s.Id)))}");
        }
        var statusNode = Reader.Child(when, "status");
        var status = reader.Text(when, "status", field + ".status");
        var above = Number(reader, when, "above", field + ".above");
        var below = Number(reader, when, "below", field + ".below");
        var hasLine = Reader.Child(when, "above") is not null || Reader.Child(when, "below") is not null;
        if (statusNode is not null && hasLine)
        {
            reader.Error(when.Start.Line, field, "takes status: (a heartbeat) or above:/below: (a number), not both; split it into two alerts");
            return null;
        }
        if (statusNode is not null)
        {
            HeartbeatStatus? wanted = status switch { "down" => HeartbeatStatus.Down, "late" => HeartbeatStatus.Late, _ => null };
            if (status is not null && wanted is null)
            {
                reader.Error(statusNode.Start.Line, field + ".status", $"\"{status}\" is not a status to alert on; write down or late (late means late or down)");
            }
            if (section is not null and not HeartbeatSection)
            {
                reader.Error(statusNode.Start.Line, field + ".status",
                    $"works on a heartbeat section, and {sectionId} is a {section.Kind}; use above:/below: for its number, or name a heartbeat section");
                return null;
            }
            return section is HeartbeatSection heartbeat && wanted is { } w ? new StatusWhen(heartbeat, w) : null;
        }
        if (!hasLine)
        {
            reader.Error(when.Start.Line, field, $"needs status: down|late (a heartbeat section) or above:/below: (a number) for section {sectionId}");
            return null;
        }
        if (section is not null && !HasNumber(section))
        {
            reader.Error(Reader.Child(when, "above")?.Start.Line ?? Reader.Child(when, "below")!.Start.Line, field + (Reader.Child(when, "above") is null ? ".below" : ".above"),
                $"needs a section with a number (a stat with value:, a counter, a timeseries, a daily), and {sectionId} is a {section.Kind}{(section is HeartbeatSection ? "; use status: down or late" : section is StatSection ? " without value:; give it value: content.<number>" : "")}");
            return null;
        }
        if (above is { } a && below is { } b && b > a)
        {
            reader.Error(when.Start.Line, field, $"above: {a} and below: {b} together fire on every value; to fire between them, write two alerts");
            return null;
        }
        return section is null || (above is null && below is null) ? null : new ValueWhen(section, above, below);
    }

    /// <summary>Whether the section's kind gives <c>/metrics</c> a <c>pulseboard_section_value</c>: what above:/below: compare.</summary>
    internal static bool HasNumber(SectionPlan section) => section.Panel.Shape is PanelShape.Number or PanelShape.Series;

    private static double? Number(Reader reader, YamlMappingNode map, string key, string field)
    {
        var text = reader.Text(map, key, field);
        if (text is null)
        {
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }
        reader.Error(Reader.Child(map, key)!.Start.Line, field, $"\"{text}\" is not a number; write e.g. {key}: 500 or {key}: 0.25");
        return null;
    }

    private static List<string> ReadNotify(Reader reader, string field, YamlMappingNode alert)
    {
        var items = reader.List(alert, "notify", field);
        var names = new List<string>();
        if (items is null || items.Count == 0)
        {
            reader.Error(Reader.Child(alert, "notify")?.Start.Line ?? alert.Start.Line, field,
                $"{(items is null ? "is required" : "is empty")}: the names of notifiers to tell, from the server's notifiers.yaml, e.g. notify: [team]");
            return names;
        }
        foreach (var (text, line) in items)
        {
            if (EventRules.IsName(text))
            {
                names.Add(text);
            }
            else
            {
                reader.Error(line, field, $"\"{text}\" is not a notifier name ({EventRules.NamePattern})");
            }
        }
        // Whether each name is a notifier is for check and serve to say: notifiers are server configuration (NotifierSet).
        return names;
    }

    /// <summary>A duration where zero is allowed too (<c>0s</c>): <c>for:</c>.</summary>
    private static TimeSpan? ZeroOrDuration(Reader reader, YamlMappingNode map, string key, string field)
    {
        if ((Reader.Child(map, key) as YamlScalarNode)?.Value is { } text && s_zero.IsMatch(text))
        {
            return TimeSpan.Zero;
        }
        return reader.Duration(map, key, field);
    }
}
