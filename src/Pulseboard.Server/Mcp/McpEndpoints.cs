using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Pulseboard.Server.Auth;

namespace Pulseboard.Server.Mcp;

/// <summary>
/// The Model Context Protocol server: the four tools, over Streamable HTTP at <c>/mcp</c> on <c>serve</c> (stateless:
/// one request per call, so each call carries its bearer token) or over stdio for <c>pulseboard mcp</c>.
/// </summary>
internal static class McpEndpoints
{
    /// <summary>What a client is told when it connects: the order to call the tools in.</summary>
    private const string Instructions =
        "Pulseboard: agents write events, dashboards render them. Call list_dashboards to see the dashboards and their sections, " +
        "describe_section for what a section shows and the exact event it takes, append_event to add one (fix what it reports and call again), " +
        "and read_dashboard to read a dashboard's current values.";

    /// <summary>The four tools and the answer for any other name, on any transport.</summary>
    public static IMcpServerBuilder WithPulseboardTools(this IMcpServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<McpServerTool, ListDashboardsTool>();
        builder.Services.AddSingleton<McpServerTool, DescribeSectionTool>();
        builder.Services.AddSingleton<McpServerTool, AppendEventTool>();
        builder.Services.AddSingleton<McpServerTool, ReadDashboardTool>();
        // Only reached for a name that is none of the four: a tool error the model can read, not a protocol error.
        return builder.WithCallToolHandler((request, _) => ValueTask.FromResult(PulseboardTool.Refuse(request.Params?.Name ?? "(no name)",
            [$"{EventRules.Quote(request.Params?.Name ?? "")}: no such tool; the tools are {string.Join(", ", PulseboardTool.Names)}"])));
    }

    /// <summary>The server's name and version, and the instructions.</summary>
    public static void Describe(McpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ServerInfo = new Implementation { Name = "pulseboard", Version = typeof(McpEndpoints).Assembly.GetName().Version?.ToString(3) ?? "1.0.0" };
        options.ServerInstructions = Instructions;
    }

    /// <summary>Registers <c>/mcp</c>'s services: the tools over Streamable HTTP, on the server's caches and log.</summary>
    public static IServiceCollection AddPulseboardMcp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<IMcpBackend, ServerMcpBackend>();
        services.AddMcpServer(Describe)
            .WithHttpTransport(http => http.Stateless = true)
            .WithPulseboardTools();
        return services;
    }

    /// <summary>
    /// Runs the tools over stdio on a data folder until the client closes standard input (<c>pulseboard mcp</c>).
    /// Standard output carries the protocol and nothing else: every log line goes to standard error. With
    /// <paramref name="jetStream"/>, the log is that stream instead of the file log under the data folder.
    /// </summary>
    public static async Task RunStdioAsync(string dataDirectory, string dashboardsDirectory, string? token, CancellationToken cancellationToken, Log.JetStream.JetStreamEventLogOptions? jetStream = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("ModelContextProtocol", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton<IMcpBackend>(provider =>
            new LocalMcpBackend(dataDirectory, dashboardsDirectory, token, provider.GetRequiredService<ILoggerFactory>().CreateLogger("pulseboard mcp")) { JetStream = jetStream });
        builder.Services.AddMcpServer(Describe)
            .WithStdioServerTransport()
            .WithPulseboardTools();
        using var host = builder.Build();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Maps <c>/mcp</c>. With tokens, a request needs a known bearer token (401 otherwise, as for ingest); what it may
    /// list, read and append is then the token's scope, checked by each tool.
    /// </summary>
    public static WebApplication MapMcpEndpoints(this WebApplication app)
    {
        var tokens = app.Services.GetRequiredService<Tokens>();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/mcp") && Access.Writer(context.Request, tokens, out _) is { } denied)
            {
                await denied.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
        app.MapMcp("/mcp");
        return app;
    }
}
