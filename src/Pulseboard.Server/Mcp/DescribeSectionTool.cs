using System.Text.Json;
using ModelContextProtocol.Protocol;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Server.Mcp;

/// <summary><c>describe_section(dashboard, section)</c>: what the section shows, the strict schema of an event it takes, and an example.</summary>
internal sealed class DescribeSectionTool(IMcpBackend backend) : PulseboardTool(
    "describe_section",
    "Describes one section of a dashboard: what it shows and which fields of an event it reads, the strict JSON Schema of an event it takes (also at GET /schema/{dashboard}/{section}.json), and one example event. Call it before append_event.",
    """
    {"type":"object","properties":{
      "dashboard":{"type":"string","description":"The dashboard's id, from list_dashboards"},
      "section":{"type":"string","description":"The section's id, from list_dashboards"}},
     "required":["dashboard","section"],"additionalProperties":false}
    """,
    readOnly: true, idempotent: true)
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    protected override IReadOnlyList<string> ArgumentNames { get; } = ["dashboard", "section"];

    protected override ValueTask<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var dashboardId = arguments.Text("dashboard", "a dashboard's id from list_dashboards");
        var sectionId = arguments.Text("section", "a section's id from list_dashboards");
        var dashboard = dashboardId is null ? null : Lookup.Dashboard(Lookup.Visible(backend), dashboardId, arguments.Errors);
        var section = dashboard is null || sectionId is null ? null : Lookup.Section(dashboard, sectionId, arguments.Errors);
        if (dashboard is null || section is null || arguments.Errors.Count > 0)
        {
            return ValueTask.FromResult(Refuse("describe_section", arguments.Errors));
        }
        var schema = SectionSchema.For(dashboard, section);
        var example = SectionSchema.Example(dashboard, section);
        return ValueTask.FromResult(Answer($"""
            {dashboard.Id}/{section.Id}: a {section.Kind} section titled {DashboardText.Quoted(section.Title)} on the dashboard {DashboardText.Quoted(dashboard.Title)}.
            It shows {SectionWords.Shows(section)}.
            It takes {section.FromText}.

            To add to it, call append_event with the fields of an event this schema describes (the same as GET /schema/{dashboard.Id}/{section.Id}.json). Leave out timestamp (the log stamps it); give an id to make a retry safe (an id already stored is not stored twice).
            {schema.ToJsonString(s_indented)}

            An example event it takes:
            {example.ToJsonString()}
            """));
    }
}
