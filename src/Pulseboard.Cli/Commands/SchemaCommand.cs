using System.CommandLine;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Cli.Commands;

/// <summary>
/// <c>pulseboard schema</c>: the event's JSON Schema (the validation contract); with <c>--dashboard D --section S</c>
/// the strict schema of the events one section takes (or <c>--example</c>, an event it takes); with <c>--all DIR</c>
/// every section's, one file each.
/// </summary>
internal static class SchemaCommand
{
    public static Command Create(Option<string> dashboards)
    {
        var dashboard = new Option<string?>("--dashboard") { Description = "A dashboard's id: with --section, print that section's strict schema" };
        var section = new Option<string?>("--section") { Description = "A section of --dashboard" };
        var example = new Option<bool>("--example") { Description = "With --dashboard and --section: print an example event the section takes instead of its schema" };
        var all = new Option<string?>("--all") { Description = "Write every section's strict schema to this folder, as <dashboard>/<section>.json" };
        var command = new Command("schema", "Print the event's JSON Schema; with --dashboard and --section, the strict schema of one section's events "
            + "(what a model's structured output is constrained to); with --all DIR, every section's")
        {
            dashboard, section, example, all,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var (d, s, folder) = (parsed.GetValue(dashboard), parsed.GetValue(section), parsed.GetValue(all));
            if (Usage(d, s, folder, parsed.GetValue(example)) is { } usage)
            {
                await Console.Error.WriteLineAsync($"pulseboard schema: {usage}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            using var stdout = Console.OpenStandardOutput();
            if (d is null && folder is null)
            {
                await stdout.WriteAsync(EventSchema.Utf8, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            var directory = parsed.GetValue(dashboards)!;
            if (!Directory.Exists(directory))
            {
                await Console.Error.WriteLineAsync($"pulseboard schema: no folder {directory}; give --dashboards DIR, the folder of the definitions").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            var definitions = DefinitionLoader.LoadDirectory(directory);
            if (folder is not null)
            {
                return WriteAll(definitions, folder);
            }
            if (SectionSchema.Find(definitions, d!, s!, out var problem) is not { } found)
            {
                await Console.Error.WriteLineAsync($"pulseboard schema: {problem}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            var node = parsed.GetValue(example) ? SectionSchema.Example(found.Dashboard, found.Section) : SectionSchema.For(found.Dashboard, found.Section);
            await stdout.WriteAsync(SectionSchema.ToUtf8(node), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string? Usage(string? dashboard, string? section, string? folder, bool example) =>
        folder is not null && (dashboard is not null || section is not null || example)
            ? "--all writes every section's schema; leave out --dashboard, --section and --example"
            : (dashboard is null) != (section is null)
                ? $"give both --dashboard and --section (the section's strict schema), or --all DIR for every section; {(dashboard is null ? "--dashboard" : "--section")} is missing"
                : example && dashboard is null
                    ? "--example needs --dashboard and --section: the section whose example event to print"
                    : null;

    /// <summary>Writes <c>DIR/&lt;dashboard&gt;/&lt;section&gt;.json</c> for every section of every valid definition, a line per dashboard.</summary>
    private static int WriteAll(DefinitionSet definitions, string folder)
    {
        foreach (var error in definitions.Errors)
        {
            Console.Error.WriteLine(error);
        }
        var written = 0;
        try
        {
            foreach (var dashboard in definitions.Dashboards)
            {
                var into = Path.Combine(folder, dashboard.Id); // ids are slugs: no path can leave the folder
                Directory.CreateDirectory(into);
                foreach (var section in dashboard.Sections)
                {
                    File.WriteAllBytes(Path.Combine(into, section.Id + ".json"), SectionSchema.ToUtf8(SectionSchema.For(dashboard, section)));
                    written++;
                }
                Console.Error.WriteLine($"pulseboard schema: {dashboard.Id}: {dashboard.Sections.Count} schemas");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"pulseboard schema: cannot write to {Path.GetFullPath(folder)}: {ex.Message}; choose a folder you may write, with --all DIR");
            return ExitCodes.Failed;
        }
        Console.WriteLine($"wrote {written} schemas of {definitions.Dashboards.Count} dashboards to {Path.GetFullPath(folder)}");
        if (definitions.Errors.Count > 0)
        {
            Console.Error.WriteLine($"pulseboard schema: {definitions.Errors.Select(e => e.File).Distinct().Count()} definitions have problems and have no schema; fix them (pulseboard check)");
            return ExitCodes.BadInput;
        }
        return ExitCodes.Ok;
    }
}
