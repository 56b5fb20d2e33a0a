using System.CommandLine;

namespace Pulseboard.Cli.Commands;

/// <summary>
/// <c>pulseboard mcp</c>: the MCP tools over stdio, for Claude Desktop, Claude Code or any MCP client, on a data
/// folder: events go to the server running on it, else into its log (docs/AGENTS.md).
/// </summary>
internal static class McpCommand
{
    public static Command Create(Option<string> data, Option<string> dashboards, JetStreamLog log)
    {
        var token = new Option<string?>("--token") { Description = "Bearer token for a running server that has tokens (or set PULSEBOARD_TOKEN)" };
        var command = new Command("mcp", "Serve the MCP tools (list_dashboards, describe_section, append_event, read_dashboard) over stdio") { token };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await Pulseboard.Server.Mcp.McpEndpoints.RunStdioAsync(parsed.GetValue(data)!, parsed.GetValue(dashboards)!,
                parsed.GetValue(token) ?? Environment.GetEnvironmentVariable("PULSEBOARD_TOKEN"), cancellationToken, log.Read(parsed)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
