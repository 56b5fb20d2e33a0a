using ModelContextProtocol.Protocol;

namespace Pulseboard.Server.Mcp;

/// <summary><c>read_dashboard(dashboard)</c>: the dashboard's current values as compact text, from its cache.</summary>
internal sealed class ReadDashboardTool(IMcpBackend backend) : PulseboardTool(
    "read_dashboard",
    "Shows a dashboard's current values as compact text: each section's latest value, newest items or rows, recent points, heartbeats with up/late/down. Texts written by agents are quoted.",
    """
    {"type":"object","properties":{
      "dashboard":{"type":"string","description":"The dashboard's id, from list_dashboards"}},
     "required":["dashboard"],"additionalProperties":false}
    """,
    readOnly: true, idempotent: true)
{
    protected override IReadOnlyList<string> ArgumentNames { get; } = ["dashboard"];

    protected override async ValueTask<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var id = arguments.Text("dashboard", "a dashboard's id from list_dashboards");
        var dashboard = id is null ? null : Lookup.Dashboard(Lookup.Visible(backend), id, arguments.Errors);
        if (dashboard is null || arguments.Errors.Count > 0)
        {
            return Refuse("read_dashboard", arguments.Errors);
        }
        if (!backend.Scope.ReadsValues)
        {
            return Refuse("read_dashboard", [backend.Scope.ValuesRefused]);
        }
        if ((await backend.CachesAsync([dashboard.Id], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(dashboard.Id) is not { } cache)
        {
            return Answer($"{DashboardText.Quoted(dashboard.Title)} ({dashboard.Id}): no events yet.\nsections: {Lookup.Sections(dashboard)}\n");
        }
        return Answer(DashboardText.Render(dashboard.Id, cache, backend.Time.GetUtcNow()));
    }
}
