using System.CommandLine;
using Pulseboard.Projection.Definitions;
using Pulseboard.Server.Export;

namespace Pulseboard.Cli.Commands;

/// <summary><c>pulseboard prometheus-rules OUT</c>: the definitions' alerts as Prometheus alerting rules.</summary>
internal static class PrometheusRulesCommand
{
    public static Command Create(Option<string> dashboards)
    {
        var output = new Argument<string>("out") { Description = "The rules file to write, e.g. pulseboard.rules.yml (check it with promtool check rules)" };
        var command = new Command("prometheus-rules", "Write the definitions' alerts as Prometheus alerting rules over Pulseboard's /metrics") { output };
        command.SetAction(parsed =>
        {
            var set = DefinitionLoader.LoadDirectory(parsed.GetValue(dashboards)!);
            foreach (var error in set.Errors)
            {
                Console.Error.WriteLine(error);
            }
            var path = parsed.GetValue(output)!;
            if (Directory.Exists(path))
            {
                Console.Error.WriteLine($"pulseboard prometheus-rules: {path} is a folder; give the file to write, e.g. {Path.Combine(path, "pulseboard.rules.yml")}");
                return ExitCodes.BadInput;
            }
            PrometheusRules.Write(set.Dashboards, path);
            var alerts = set.Dashboards.Sum(d => d.Alerts.Count);
            Console.WriteLine($"wrote {alerts} alerts of {set.Dashboards.Count(d => d.Alerts.Count > 0)} dashboards to {Path.GetFullPath(path)}");
            return set.Errors.Count == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return command;
    }
}
