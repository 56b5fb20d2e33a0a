using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Pulseboard.Server.Mcp;

/// <summary>
/// One of the four tools: its name, description, input schema and hints, and a call that always answers — a problem
/// is a tool error (<c>isError: true</c>) whose text names each argument to fix, never an exception for the session.
/// </summary>
internal abstract class PulseboardTool : McpServerTool
{
    private readonly Tool _tool;

    protected PulseboardTool(string name, string description, string inputSchema, bool readOnly, bool idempotent)
    {
        _tool = new Tool
        {
            Name = name,
            Description = description,
            InputSchema = JsonElement.Parse(inputSchema),
            Annotations = new ToolAnnotations
            {
                ReadOnlyHint = readOnly,
                DestructiveHint = false, // appending never changes what was stored
                IdempotentHint = idempotent,
                OpenWorldHint = false,
            },
        };
    }

    /// <summary>The names of the four tools, for messages.</summary>
    public static IReadOnlyList<string> Names { get; } = ["list_dashboards", "describe_section", "append_event", "read_dashboard"];

    public override Tool ProtocolTool => _tool;

    public override IReadOnlyList<object> Metadata => [];

    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await CallAsync(new ToolArguments(_tool.Name, request.Params?.Arguments, ArgumentNames), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The arguments the tool takes.</summary>
    protected abstract IReadOnlyList<string> ArgumentNames { get; }

    protected abstract ValueTask<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken);

    /// <summary>An answer.</summary>
    public static CallToolResult Answer(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    /// <summary>A tool error listing every problem, so the model can correct them all and call again.</summary>
    public static CallToolResult Refuse(string tool, IEnumerable<string> problems) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = $"{tool} did nothing; fix each problem and call it again:\n" + string.Join("\n", problems.Select(p => "- " + p)) }],
    };
}
