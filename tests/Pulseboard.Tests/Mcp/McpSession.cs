using System.Diagnostics;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Pulseboard.Tests.Mcp;

/// <summary>The SDK's own client on one transport, with calls written as JSON the way a model sends them.</summary>
internal sealed class McpSession(McpClient client) : IAsyncDisposable
{
    public McpClient Client { get; } = client;

    /// <summary>The child process of a stdio session, stopped by its pid if it outlives its client.</summary>
    public int? ChildPid { get; private set; }

    /// <summary>Its exit code once the client is disposed: 0 when it stopped on its own as stdin closed.</summary>
    public int? ChildExitCode { get; private set; }

    /// <summary>
    /// <c>pulseboard mcp</c> as a real child process (<c>dotnet pulseboard.dll mcp --data … --dashboards …</c>), over
    /// stdio. Extra arguments and environment go to the child.
    /// </summary>
    public static async Task<McpSession> StdioAsync(string data, string dashboards, IDictionary<string, string?>? environment = null, params string[] extra)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "pulseboard",
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), "mcp", "--data", data, "--dashboards", dashboards, .. extra],
            EnvironmentVariables = environment ?? new Dictionary<string, string?>(),
            ShutdownTimeout = TimeSpan.FromSeconds(60), // a slow shared machine: let it stop on its own
        });
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return new McpSession(await McpClient.CreateAsync(transport, cancellationToken: bound.Token));
    }

    /// <summary>The Streamable HTTP endpoint <c>{server}/mcp</c>, with a bearer token when given.</summary>
    public static async Task<McpSession> HttpAsync(string server, string? token = null)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.TrimEnd('/') + "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = token is null ? null : new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        });
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return new McpSession(await McpClient.CreateAsync(transport, cancellationToken: bound.Token));
    }

    /// <summary>Calls a tool with arguments written as a JSON object, exactly as sent (wrong types included).</summary>
    public async Task<(bool IsError, string Text)> CallAsync(string tool, string arguments = "{}")
    {
        using var document = JsonDocument.Parse(arguments);
        var request = new CallToolRequestParams
        {
            Name = tool,
            Arguments = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
        };
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await Client.CallToolAsync(request, bound.Token);
        return (result.IsError == true, string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        if (await Client.Completion.WaitAsync(bound.Token) is StdioClientCompletionDetails { ProcessId: { } pid } details)
        {
            ChildPid = pid;
            ChildExitCode = details.ExitCode;
            // Only if the child outlived its client, and only that child: the pid must still run pulseboard.dll.
            var cmdline = $"/proc/{pid}/cmdline";
            if (File.Exists(cmdline) && File.ReadAllText(cmdline).Contains("pulseboard.dll", StringComparison.Ordinal))
            {
                using var left = Process.GetProcessById(pid);
                left.Kill(entireProcessTree: true);
            }
        }
    }
}
