using System.CommandLine;
using Pulseboard.Projection.Definitions;
using Pulseboard.Server.Alerts;

namespace Pulseboard.Cli.Commands;

/// <summary><c>pulseboard check</c>: validates every definition and prints every problem, with file, line and field.</summary>
internal static class CheckCommand
{
    public static Command Create(Option<string> dashboards)
    {
        var notifiers = NotifiersOption.Create();
        var command = new Command("check", "Validate the dashboard definitions (and --notifiers FILE); print every problem with its file, line and field") { notifiers };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var directory = parsed.GetValue(dashboards)!;
            var notifierProblems = 0;
            (NotifierSet Set, string Path)? checkedNotifiers = null;
            if (NotifiersOption.Path(parsed, notifiers) is { } notifiersPath)
            {
                var (notifierSet, problems) = await NotifiersOption.CheckAsync(notifiersPath, "check", cancellationToken).ConfigureAwait(false);
                notifierProblems = problems;
                checkedNotifiers = (notifierSet, notifiersPath);
                Console.Error.WriteLine(problems == 0 ? $"{notifierSet.Notifiers.Count} notifiers, no problems" : $"{problems} problems in {notifiersPath}");
                if (!Directory.Exists(directory) && parsed.GetResult(dashboards) is null or { Implicit: true })
                {
                    return problems == 0 ? ExitCodes.Ok : ExitCodes.BadInput; // only the notifiers were asked about
                }
            }
            if (!Directory.Exists(directory))
            {
                Console.Error.WriteLine($"pulseboard check: no folder {directory}; give --dashboards DIR");
                return ExitCodes.BadInput;
            }
            var set = DefinitionLoader.LoadDirectory(directory);
            // With --notifiers (or PULSEBOARD_NOTIFIERS), each alert's notify: names must be notifiers in that file.
            var errors = checkedNotifiers is { } given
                ? [.. set.Errors, .. NotifierNames.Unknown(set.Dashboards, given.Set, given.Path)]
                : set.Errors;
            foreach (var error in errors)
            {
                Console.Error.WriteLine(error);
            }
            foreach (var dashboard in set.Dashboards)
            {
                Console.WriteLine($"ok  {dashboard.Id}: {dashboard.Title} ({dashboard.Sections.Count} sections: {string.Join(", ", dashboard.Sections.Select(s => $"{s.Id} {s.Kind}"))})");
            }
            var files = set.Errors.Select(e => e.File).Distinct().Count();
            Console.Error.WriteLine(errors.Count == 0
                ? $"{set.Dashboards.Count} definitions, no problems"
                : $"{errors.Count} problems in {errors.Select(e => e.File).Distinct().Count()} of {set.Dashboards.Count + files} definitions");
            return errors.Count == 0 && notifierProblems == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return command;
    }
}
