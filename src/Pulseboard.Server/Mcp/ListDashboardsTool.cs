using System.Text;
using ModelContextProtocol.Protocol;

namespace Pulseboard.Server.Mcp;

/// <summary><c>list_dashboards</c>: every dashboard the caller may read, its freshness, and its sections with their kinds.</summary>
internal sealed class ListDashboardsTool(IMcpBackend backend) : PulseboardTool(
    "list_dashboards",
    "Lists the dashboards: id, title, freshness (when the last event came, stale or fresh), and each one's sections with their kinds. Start here; then describe_section tells what a section takes.",
    """{"type":"object","properties":{},"additionalProperties":false}""",
    readOnly: true, idempotent: true)
{
    protected override IReadOnlyList<string> ArgumentNames { get; } = [];

    protected override async ValueTask<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        if (arguments.Errors.Count > 0)
        {
            return Refuse("list_dashboards", arguments.Errors);
        }
        var dashboards = Lookup.Visible(backend);
        if (dashboards.Count == 0)
        {
            return Answer("There are no dashboards you may use.");
        }
        var now = backend.Time.GetUtcNow();
        var text = new StringBuilder($"{dashboards.Count} dashboards. describe_section(dashboard, section) tells what a section takes; read_dashboard(dashboard) shows its values.\n");
        var caches = await backend.CachesAsync([.. dashboards.Select(d => d.Id)], cancellationToken).ConfigureAwait(false);
        foreach (var dashboard in dashboards)
        {
            var cache = caches.GetValueOrDefault(dashboard.Id);
            text.Append('\n').Append(dashboard.Id).Append(" — ").Append(DashboardText.Quoted(dashboard.Title)).Append(": ")
                .Append(DashboardText.Freshness(cache?.Summary, now)).Append('\n')
                .Append("  sections: ").Append(Lookup.Sections(dashboard)).Append('\n');
        }
        return Answer(text.ToString());
    }
}
