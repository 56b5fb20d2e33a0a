using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Server.Mcp;

/// <summary>Finds a dashboard and a section by the ids a model gave; an unknown one is a problem that names the known ones.</summary>
internal static class Lookup
{
    /// <summary>The definitions the caller may read, in their list order (order, then title).</summary>
    public static List<DashboardDefinition> Visible(IMcpBackend backend) => Visible(backend.Definitions(), backend.Scope);

    /// <summary>The definitions of <paramref name="definitions"/> that <paramref name="scope"/> may read.</summary>
    public static List<DashboardDefinition> Visible(DefinitionSet definitions, McpScope scope)
    {
        return [.. definitions.Dashboards
            .Where(d => scope.CanRead(d.Id))
            .OrderBy(d => d.Order is null).ThenBy(d => d.Order).ThenBy(d => d.Title, StringComparer.OrdinalIgnoreCase).ThenBy(d => d.Id, StringComparer.Ordinal)];
    }

    public static DashboardDefinition? Dashboard(List<DashboardDefinition> visible, string id, List<string> errors)
    {
        if (visible.Find(d => d.Id == id) is { } found)
        {
            return found;
        }
        errors.Add(visible.Count == 0
            ? $"dashboard: {EventRules.Quote(id)} is not a dashboard, and there are none you may use"
            : $"dashboard: {EventRules.Quote(id)} is not a dashboard; the dashboards are {string.Join(", ", visible.Select(d => d.Id))}");
        return null;
    }

    public static SectionPlan? Section(DashboardDefinition dashboard, string id, List<string> errors)
    {
        if (dashboard.Sections.FirstOrDefault(s => s.Id == id) is { } found)
        {
            return found;
        }
        errors.Add($"section: {EventRules.Quote(id)} is not a section of {dashboard.Id}; its sections are {Sections(dashboard)}");
        return null;
    }

    /// <summary><c>budget (stat), alerts (feed)</c>.</summary>
    public static string Sections(DashboardDefinition dashboard) =>
        string.Join(", ", dashboard.Sections.Select(s => $"{s.Id} ({s.Kind})"));
}
