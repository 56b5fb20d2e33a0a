using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Pulseboard.Log.Storage;
using Pulseboard.Projection.Caches;
using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Server.Export;

/// <summary>
/// <c>pulseboard grafana OUT</c>: for each definition a Grafana dashboard (a panel per section, of the shape its kind
/// says (<see cref="SectionPlan.Panel"/>): a numeric section with its PromQL, heartbeat staleness as a status panel,
/// feeds and tables as a note linking to the Pulseboard page), plus the
/// provisioning files for the folder and a Prometheus datasource. The queries name only series <c>/metrics</c> serves.
/// </summary>
internal static class GrafanaExport
{
    /// <summary>The schema version written; Grafana 10 and 11 read it.</summary>
    public const int SchemaVersion = 39;

    /// <summary>Writes <c>dashboards/&lt;id&gt;.json</c> and <c>provisioning/</c> under <paramref name="output"/>.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<DashboardDefinition> definitions, string output, string prometheusUrl, string pulseboardUrl)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var folder = Path.Combine(output, "dashboards");
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var definition in definitions)
        {
            var path = Path.Combine(folder, definition.Id + ".json");
            AtomicFile.Write(path, Encoding.UTF8.GetBytes(Dashboard(definition, pulseboardUrl).ToJsonString(new() { WriteIndented = true })), fsync: false);
            written.Add(path);
        }
        var provisioning = Path.Combine(output, "provisioning");
        Directory.CreateDirectory(Path.Combine(provisioning, "dashboards"));
        Directory.CreateDirectory(Path.Combine(provisioning, "datasources"));
        File.WriteAllText(Path.Combine(provisioning, "dashboards", "pulseboard.yaml"), $"""
            apiVersion: 1
            providers:
              - name: pulseboard
                folder: Pulseboard
                type: file
                options:
                  path: {Path.GetFullPath(folder)}
            """ + "\n");
        File.WriteAllText(Path.Combine(provisioning, "datasources", "prometheus.yaml"), $"""
            apiVersion: 1
            datasources:
              - name: Prometheus
                uid: pulseboard-prometheus
                type: prometheus
                access: proxy
                url: {prometheusUrl}
                isDefault: true
            """ + "\n");
        return written;
    }

    /// <summary>One definition as a Grafana dashboard.</summary>
    public static JsonObject Dashboard(DashboardDefinition definition, string pulseboardUrl)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var panels = new JsonArray();
        var id = 1;
        var (x, y) = (0, 0);
        foreach (var section in definition.Sections)
        {
            var width = section.Panel.Wide ? 24 : 12;
            if (x + width > 24)
            {
                (x, y) = (0, y + 8);
            }
            panels.Add(Panel(definition, section, id++, x, y, width, pulseboardUrl));
            (x, y) = x + width >= 24 ? (0, y + 8) : (x + width, y);
        }
        return new JsonObject
        {
            ["uid"] = "pulseboard-" + definition.Id,
            ["title"] = definition.Title,
            ["tags"] = new JsonArray("pulseboard"),
            ["schemaVersion"] = SchemaVersion,
            ["version"] = 1,
            ["refresh"] = $"{Math.Max(5, (int)definition.Refresh.TotalSeconds)}s",
            ["time"] = new JsonObject { ["from"] = "now-24h", ["to"] = "now" },
            ["panels"] = panels,
        };
    }

    private static JsonObject Panel(DashboardDefinition definition, SectionPlan section, int id, int x, int y, int width, string pulseboardUrl)
    {
        var selector = $"{{dashboard=\"{definition.Id}\",section=\"{section.Id}\"}}";
        var panel = new JsonObject
        {
            ["id"] = id,
            ["title"] = section.Title,
            ["gridPos"] = new JsonObject { ["x"] = x, ["y"] = y, ["w"] = width, ["h"] = 8 },
            ["datasource"] = new JsonObject { ["type"] = "prometheus", ["uid"] = "pulseboard-prometheus" },
        };
        var shape = section.Panel;
        switch (shape.Shape)
        {
            case PanelShape.Number:
                panel["type"] = "stat";
                panel["targets"] = Targets($"pulseboard_section_value{selector}");
                break;
            case PanelShape.Series:
                panel["type"] = "timeseries";
                panel["targets"] = Targets($"pulseboard_section_value{selector}");
                break;
            case PanelShape.Staleness:
                var (late, down) = (shape.LateAfter, shape.DownAfter);
                panel["type"] = "stat";
                panel["description"] = $"Seconds since each source was last seen: up to {late.TotalSeconds:F0} s up, to {down.TotalSeconds:F0} s late, then down.";
                panel["targets"] = Targets($"time() - pulseboard_heartbeat_last_seen_timestamp_seconds{selector}", "{{source}}");
                panel["fieldConfig"] = new JsonObject
                {
                    ["defaults"] = new JsonObject
                    {
                        ["unit"] = "s",
                        ["thresholds"] = new JsonObject
                        {
                            ["mode"] = "absolute",
                            ["steps"] = new JsonArray(
                                new JsonObject { ["color"] = "green", ["value"] = null },
                                new JsonObject { ["color"] = "orange", ["value"] = late.TotalSeconds },
                                new JsonObject { ["color"] = "red", ["value"] = down.TotalSeconds }),
                        },
                    },
                };
                break;
            default:
                panel["type"] = "text";
                panel.Remove("datasource");
                panel["options"] = new JsonObject
                {
                    ["mode"] = "markdown",
                    ["content"] = string.Create(CultureInfo.InvariantCulture,
                        $"This {section.Kind} shows text, not a number: see it on [the Pulseboard page]({pulseboardUrl.TrimEnd('/')}/d/{definition.Id})."),
                };
                break;
        }
        return panel;
    }

    private static JsonArray Targets(string expression, string? legend = null) =>
        new(new JsonObject { ["refId"] = "A", ["expr"] = expression, ["legendFormat"] = legend ?? "{{section}}" });
}
