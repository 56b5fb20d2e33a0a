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
        var log = new JetStreamLog();
        var root = new RootCommand("Pulseboard: agents write events, dashboards render them.")
        {
            data,
            dashboards,
            ServeCommand.Create(data, dashboards, log),
            EmitCommand.Create(data, log),
            TailCommand.Create(data, dashboards, log),
            ProjectCommand.CreateProject(data, dashboards, log),
            ProjectCommand.CreateRebuild(data, dashboards, log),
            ExportCommand.Create(data, dashboards, log),
            GrafanaCommand.Create(dashboards),
            PrometheusRulesCommand.Create(dashboards),
            SilenceCommand.Create(data),
            CheckCommand.Create(dashboards),
            NotifyTestCommand.Create(),
            SchemaCommand.Create(dashboards),
            McpCommand.Create(data, dashboards, log),
            WatchCommand.Create(data, log),
        };
        foreach (var option in log.All)
        {
            root.Options.Add(option);
        }
        var parsed = root.Parse(args);
        var problems = parsed.Errors.Select(error => error.Message).Concat(JetStreamLog.Problems()).ToList();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync($"pulseboard: {problem}").ConfigureAwait(false);
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
