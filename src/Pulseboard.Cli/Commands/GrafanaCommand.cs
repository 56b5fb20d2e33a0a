using System.CommandLine;
using Pulseboard.Projection.Definitions;
using Pulseboard.Server.Export;

namespace Pulseboard.Cli.Commands;

/// <summary><c>pulseboard grafana OUT</c>: Grafana dashboards and provisioning for every definition.</summary>
internal static class GrafanaCommand
{
    public static Command Create(Option<string> dashboards)
    {
        var output = new Argument<string>("out") { Description = "The folder to write dashboards/ and provisioning/ to" };
        var prometheus = new Option<string>("--prometheus") { Description = "The Prometheus the datasource points at", DefaultValueFactory = _ => "http://127.0.0.1:9090" };
        var pulseboard = new Option<string>("--pulseboard") { Description = "Where the Pulseboard pages are, for links from text panels", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var command = new Command("grafana", "Write Grafana dashboards (one per definition) and provisioning for them and a Prometheus datasource") { output, prometheus, pulseboard };
        command.SetAction(parsed =>
        {
            var set = DefinitionLoader.LoadDirectory(parsed.GetValue(dashboards)!);
            foreach (var error in set.Errors)
            {
                Console.Error.WriteLine(error);
            }
            var written = GrafanaExport.Write(set.Dashboards, parsed.GetValue(output)!, parsed.GetValue(prometheus)!, parsed.GetValue(pulseboard)!);
            Console.WriteLine($"wrote {written.Count} Grafana dashboards and provisioning to {Path.GetFullPath(parsed.GetValue(output)!)}");
            return set.Errors.Count == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return command;
    }
}
