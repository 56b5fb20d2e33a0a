using System.CommandLine;
using Pulseboard.Cli.Commands;

namespace Pulseboard.Cli;

/// <summary>The root of <c>pulseboard</c>: the shared options and every command.</summary>
internal static class PulseboardCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var data = new Option<string>("--data")
        {
            Description = "The data folder: events/ (the log) and caches/ live here",
            DefaultValueFactory = _ => "./data",
            Recursive = true,
        };
        var dashboards = new Option<string>("--dashboards")
        {
            Description = "The dashboard definitions folder (<id>.yaml files)",
            DefaultValueFactory = _ => "./dashboards",
            Recursive = true,
        };
        var log = new Option<string?>("--log")
        {
            Description = "The event log on NATS JetStream, nats://host:port[,nats://…] (serve, emit, tail, project, rebuild); default: the file log under --data",
            Recursive = true,
        };
        var root = new RootCommand("Pulseboard: agents write events, dashboards render them.")
        {
            data,
            dashboards,
            log,
            ServeCommand.Create(data, dashboards, log),
            EmitCommand.Create(data, log),
            TailCommand.Create(data, dashboards, log),
            ProjectCommand.CreateProject(data, dashboards, log),
            ProjectCommand.CreateRebuild(data, dashboards, log),
            ExportCommand.Create(data, dashboards),
            GrafanaCommand.Create(dashboards),
            PrometheusRulesCommand.Create(dashboards),
            SilenceCommand.Create(data),
            CheckCommand.Create(dashboards),
            NotifyTestCommand.Create(),
            SchemaCommand.Create(dashboards),
            McpCommand.Create(data, dashboards),
            WatchCommand.Create(data),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"pulseboard: {error.Message}").ConfigureAwait(false);
            }
            await Console.Error.WriteLineAsync("Run 'pulseboard --help' for the commands and their options.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        return await parsed.InvokeAsync().ConfigureAwait(false);
    }
}

/// <summary>What <c>pulseboard</c> exits with.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
}
