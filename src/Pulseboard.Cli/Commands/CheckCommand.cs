using System.CommandLine;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Cli.Commands;

/// <summary><c>pulseboard check</c>: validates every definition and prints every problem, with file, line and field.</summary>
internal static class CheckCommand
{
    public static Command Create(Option<string> dashboards)
    {
        var command = new Command("check", "Validate the dashboard definitions; print every problem with its file, line and field");
        command.SetAction(parsed =>
        {
            var directory = parsed.GetValue(dashboards)!;
            if (!Directory.Exists(directory))
            {
                Console.Error.WriteLine($"pulseboard check: no folder {directory}; give --dashboards DIR");
                return ExitCodes.BadInput;
            }
            var set = DefinitionLoader.LoadDirectory(directory);
            // MERGE: with --notifiers (or PULSEBOARD_NOTIFIERS), every name in an alert's notify: is checked against
            // NotifierSet.Load(path).Names here: an unknown one is a problem naming the file, line and alert.
            foreach (var error in set.Errors)
            {
                Console.Error.WriteLine(error);
            }
            foreach (var dashboard in set.Dashboards)
            {
                Console.WriteLine($"ok  {dashboard.Id}: {dashboard.Title} ({dashboard.Sections.Count} sections: {string.Join(", ", dashboard.Sections.Select(s => $"{s.Id} {s.Kind}"))})");
            }
            var files = set.Errors.Select(e => e.File).Distinct().Count();
            Console.Error.WriteLine(set.Errors.Count == 0
                ? $"{set.Dashboards.Count} definitions, no problems"
                : $"{set.Errors.Count} problems in {files} of {set.Dashboards.Count + files} definitions");
            return set.Errors.Count == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return command;
    }
}
