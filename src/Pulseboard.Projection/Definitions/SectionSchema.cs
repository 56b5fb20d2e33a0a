// TEMPORARY: replaced by the generator from branch i12-schema at merge
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Projection.Definitions;

/// <summary>
/// A small stand-in for the per-section schema generator, with its API, so the MCP server builds and is tested before
/// the real one lands: the address fields from the section's first matcher, content as an object with the paths the
/// section reads.
/// </summary>
internal static partial class SectionSchema
{
    public static JsonObject For(DashboardDefinition dashboard, SectionPlan section)
    {
        var address = Address.Of(dashboard, section);
        var properties = new JsonObject
        {
            ["dashboard"] = Text(address.Dashboard),
            ["section"] = Text(address.Section),
            ["action"] = Text(address.Action),
            ["priority"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. Priorities(address.Priority).Select(p => JsonValue.Create(p))]) },
            ["content"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject([.. ContentPaths(section).Distinct().Select(p => KeyValuePair.Create(p.Split('.')[0], (JsonNode?)new JsonObject()))]),
            },
        };
        if (ReadsSource(section))
        {
            properties["source"] = new JsonObject { ["type"] = "string" };
        }
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray([.. properties.Select(p => JsonValue.Create(p.Key))]),
            ["additionalProperties"] = false,
        };
    }

    public static JsonObject Example(DashboardDefinition dashboard, SectionPlan section)
    {
        var address = Address.Of(dashboard, section);
        var content = new JsonObject();
        foreach (var path in ContentPaths(section))
        {
            var segments = path.Split('.');
            var parent = content;
            foreach (var segment in segments[..^1])
            {
                parent = parent[segment] as JsonObject ?? (JsonObject)(parent[segment] = new JsonObject());
            }
            parent[segments[^1]] ??= NumericPaths(section).Contains(path) ? 1 : "example";
        }
        var example = new JsonObject
        {
            ["dashboard"] = Sample(address.Dashboard, dashboard.Id),
            ["section"] = Sample(address.Section, section.Id),
            ["action"] = Sample(address.Action, "example"),
            ["priority"] = (address.Priority ?? Priority.Normal).ToWire(),
            ["content"] = content,
        };
        if (ReadsSource(section))
        {
            example["source"] = "example-agent";
        }
        return example;
    }

    public static IReadOnlyList<string> Check(DashboardDefinition dashboard, SectionPlan section, JsonNode? instance)
    {
        var address = Address.Of(dashboard, section);
        if (instance is not JsonObject e)
        {
            return ["event: must be an object"];
        }
        var errors = new List<string>();
        Field(e, "dashboard", address.Dashboard, errors);
        Field(e, "section", address.Section, errors);
        Field(e, "action", address.Action, errors);
        if (e["content"] is not JsonObject)
        {
            errors.Add($"content: must be an object, with the fields {section.Title} reads");
        }
        if (e["priority"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && !Priorities(address.Priority).Contains((string)e["priority"]!))
        {
            errors.Add($"priority: must be one of {string.Join(", ", Priorities(address.Priority))}");
        }
        return errors;
    }

    private static void Field(JsonObject e, string name, Glob? glob, List<string> errors)
    {
        var value = e[name]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)e[name]! : null;
        if (value is null)
        {
            errors.Add($"{name}: is required, a string");
        }
        else if (glob is not null && !glob.IsMatch(value))
        {
            errors.Add($"{name}: {EventRules.Quote(value)} is not taken by this section; write {(glob.IsLiteral ? EventRules.Quote(glob.Pattern) : "a value matching " + glob.Pattern)}");
        }
    }

    private static JsonObject Text(Glob? glob) => glob switch
    {
        null => new JsonObject { ["type"] = "string" },
        { IsLiteral: true } => new JsonObject { ["type"] = "string", ["const"] = glob.Pattern },
        _ => new JsonObject { ["type"] = "string", ["pattern"] = "^" + Regex.Escape(glob.Pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$" },
    };

    private static string Sample(Glob? glob, string fallback) =>
        glob is null || glob.Pattern == "*" ? fallback : glob.Pattern.Replace("*", "example", StringComparison.Ordinal).Replace('?', 'x');

    private static string[] Priorities(Priority? least) =>
        [.. PriorityNames.All.Where((_, i) => least is null || i >= (int)least)];

    private static IEnumerable<ValuePath?> Paths(SectionPlan section) => section switch
    {
        StatSection s => [s.Value],
        CounterSection s => [s.Value],
        FeedSection s => [s.Key],
        TableSection s => [s.Key, .. s.Columns.Select(c => c.Path)],
        TimeseriesSection s => [s.Value],
        DailySection s => [s.Value],
        HeartbeatSection s => [s.Key],
        _ => [],
    };

    private static IEnumerable<string> NumericPaths(SectionPlan section) => section switch
    {
        StatSection or CounterSection or TimeseriesSection or DailySection => Paths(section).Where(p => p is not null).Select(p => p!.Text),
        _ => [],
    };

    private static Template? TemplateOf(SectionPlan section) => section switch
    {
        StatSection s => s.Text,
        FeedSection s => s.Text,
        HeartbeatSection s => s.Text,
        _ => null,
    };

    private static bool ReadsSource(SectionPlan section) =>
        Paths(section).Any(p => p?.Text == "source") || (TemplateOf(section)?.Text.Contains("{source}", StringComparison.Ordinal) ?? false);

    /// <summary>The content paths the section reads, without <c>content.</c>.</summary>
    private static List<string> ContentPaths(SectionPlan section)
    {
        var paths = Paths(section).Where(p => p is not null).Select(p => p!.Text).ToList();
        if (TemplateOf(section) is { } template)
        {
            paths.AddRange(TemplateField().Matches(template.Text).Select(m => m.Groups[1].Value));
        }
        return [.. paths.Where(p => p.StartsWith("content.", StringComparison.Ordinal)).Select(p => p["content.".Length..])];
    }

    [GeneratedRegex(@"\{(content(?:\.[A-Za-z0-9_-]+)+)\}")]
    private static partial Regex TemplateField();

    /// <summary>The globs of a section's first matcher, read from its text (<see cref="Matcher.ToString"/>).</summary>
    private sealed record Address(Glob? Dashboard, Glob? Section, Glob? Action, Priority? Priority)
    {
        public static Address Of(DashboardDefinition dashboard, SectionPlan section)
        {
            if (section.From.Count == 0)
            {
                return new Address(new Glob(dashboard.Id), new Glob(section.Id), null, null);
            }
            var fields = section.From[0].ToString().Trim('{', '}').Split(',')
                .Select(f => f.Split(':', 2)).ToDictionary(f => f[0], f => f[1]);
            Glob? Of(string name) => fields[name].Length == 0 ? null : new Glob(fields[name]);
            Priority? least = fields["priority"].Length == 0 ? null : (Priority)PriorityNames.All.ToList().IndexOf(fields["priority"]);
            return new Address(Of("dashboard"), Of("section"), Of("action"), least);
        }
    }
}
