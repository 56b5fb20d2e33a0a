using System.Text;
using System.Text.Json.Nodes;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Projection.Definitions;

internal static partial class SectionSchema
{
    /// <summary>
    /// The matchers the schema describes. A schema cannot be an <c>anyOf</c> at its root (OpenAI's strict mode refuses
    /// it), so several matchers are joined field by field, which is exact only while they differ in one field at most
    /// (every combination of the joined values is then one the section takes). Otherwise the schema describes the
    /// first matcher, and its description names the others.
    /// </summary>
    private static (IReadOnlyList<Matcher> Described, IReadOnlyList<Matcher> Others) Described(SectionPlan section)
    {
        var from = section.From;
        static string?[] Key(Matcher m) => [m.Dashboard.Pattern, m.Section?.Pattern, m.Action?.Pattern, m.Source?.Pattern, m.Priority?.ToWire()];
        var first = Key(from[0]);
        var differing = Enumerable.Range(0, first.Length).Count(i => from.Any(m => Key(m)[i] != first[i]));
        return differing <= 1 ? (from, []) : ([from[0]], [.. from.Skip(1)]);
    }

    /// <summary>dashboard, section, action, priority, and source when the section needs one.</summary>
    private static List<Field> Address(DashboardDefinition dashboard, SectionPlan section, IReadOnlyList<Matcher> matchers, List<SectionRead> reads)
    {
        string Shown(string root) => string.Concat(reads.Where(r => r.Path.Root == root && r.Path.Segments.Count == 0).Select(r => r.Shows).Distinct().Select(s => $" On the dashboard: {s}."));
        var fields = new List<Field>
        {
            Names("dashboard", "The dashboard the event is addressed to", [.. matchers.Select(m => (Glob?)m.Dashboard)], slug: true, dashboard.Id, Shown("dashboard")),
            Names("section", "The section it is addressed to", [.. matchers.Select(m => m.Section)], slug: true, section.Id, Shown("section")),
            Names("action", "What happened", [.. matchers.Select(m => m.Action)], slug: false, "update", Shown("action")),
            Priority(matchers, Shown("priority")),
        };
        var sourceReads = reads.Where(r => r.Path.Root == "source").ToList();
        if (matchers.All(m => m.Source is not null))
        {
            fields.Add(Names("source", "The agent that wrote the event", [.. matchers.Select(m => m.Source)], slug: false, "agent-1", Shown("source")));
        }
        else if (sourceReads.Count > 0)
        {
            var required = sourceReads.Any(r => r.Required);
            var schema = Leaf("string", !required, $"The agent that wrote the event, a name: letters, digits, _ . : - (at most 64).{Shown("source")}{(required ? "" : " Null when there is none.")}");
            schema["pattern"] = EventRules.NamePattern;
            fields.Add(new Field("source", schema, "agent-1"));
        }
        return fields;
    }

    /// <summary>
    /// A slug (dashboard, section) or a name (action, source) fixed by the matchers' globs: an <c>enum</c> when every
    /// glob is literal, else an anchored pattern that only matches values the event rules allow.
    /// </summary>
    private static Field Names(string name, string what, IReadOnlyList<Glob?> globs, bool slug, string fallback, string shown)
    {
        var rule = slug ? "a slug: lower-case letters, digits and -, at most 63" : "a name: letters, digits, _ . : -, at most 64";
        var schema = new JsonObject { ["type"] = "string" };
        string example;
        if (globs.Any(g => g is null || g.Pattern == "*"))
        {
            schema["description"] = $"{what}: any, {rule}.{shown}";
            schema["pattern"] = slug ? EventRules.SlugPattern : EventRules.NamePattern;
            example = fallback;
        }
        else if (globs.All(g => g!.IsLiteral))
        {
            var values = globs.Select(g => g!.Pattern).Distinct().ToList();
            schema["description"] = values.Count == 1 ? $"{what}: always \"{values[0]}\".{shown}" : $"{what}: one of {string.Join(", ", values)}.{shown}";
            schema["enum"] = new JsonArray([.. values.Select(v => (JsonNode)v)]);
            example = values[0];
        }
        else
        {
            var patterns = globs.Select(g => g!.Pattern).Distinct().ToList();
            var parts = patterns.Select(p => GlobPattern(p, slug)).ToList();
            schema["description"] = $"{what}: {string.Join(" or ", patterns)} (* stands for any run of characters of {rule}).{shown}";
            schema["pattern"] = parts.Count == 1 ? $"^{parts[0].Regex}$" : $"^({string.Join("|", parts.Select(p => p.Regex))})$";
            example = parts[0].Example;
        }
        return new Field(name, schema, example);
    }

    /// <summary>The least priority every matcher asks for as an <c>enum</c> of it and above; any (or null) when one asks for none.</summary>
    private static Field Priority(IReadOnlyList<Matcher> matchers, string shown)
    {
        var least = matchers.Any(m => m.Priority is null) ? Pulseboard.Priority.Low : matchers.Min(m => m.Priority!.Value);
        if (least == Pulseboard.Priority.Low)
        {
            var any = Leaf("string", nullable: true, $"How urgent: low, normal, high or critical; null is normal.{shown}");
            any["enum"] = new JsonArray([.. PriorityNames.All.Select(p => (JsonNode)p), null]);
            return new Field("priority", any, "normal");
        }
        var names = PriorityNames.All.Skip((int)least).ToList();
        var some = Leaf("string", nullable: false, $"How urgent: {string.Join(" or ", names)} (this section takes {least.ToWire()} and above).{shown}");
        some["enum"] = new JsonArray([.. names.Select(p => (JsonNode)p)]);
        return new Field("priority", some, names[0]);
    }

    /// <summary>
    /// A glob as the inside of an anchored pattern that matches only values of the slug or name rule: <c>*</c> as a
    /// bounded run of the rule's characters (the length left shared between the stars), <c>?</c> as one; a slug's
    /// first character never <c>-</c>. Plain groups only: llama.cpp's converter does not take <c>(?:</c>.
    /// </summary>
    private static (string Regex, string Example) GlobPattern(string glob, bool slug)
    {
        const string SlugFirst = "[a-z0-9]", SlugRest = "[a-z0-9-]", NameChar = "[A-Za-z0-9_.:-]";
        while (glob.Contains("**", StringComparison.Ordinal))
        {
            glob = glob.Replace("**", "*", StringComparison.Ordinal);
        }
        var fixedLength = glob.Count(c => c != '*');
        var stars = glob.Count(c => c == '*');
        var share = stars == 0 ? 0 : Math.Max(0, (slug ? 63 : 64) - fixedLength) / stars;
        var regex = new StringBuilder();
        var example = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            var first = i == 0;
            switch (c)
            {
                case '?':
                    regex.Append(slug && first ? SlugFirst : slug ? SlugRest : NameChar);
                    example.Append('a');
                    break;
                case '*' when share == 0:
                    break;
                case '*' when slug && first:
                    // A slug starts with a letter or a digit: a leading star is empty or starts with one, and must not
                    // be empty when a '-' follows it.
                    var run = $"{SlugFirst}{SlugRest}{{0,{share - 1}}}";
                    var mustMatch = i + 1 < glob.Length && glob[i + 1] == '-';
                    regex.Append(mustMatch ? run : $"({run})?");
                    example.Append(mustMatch ? "x" : "");
                    break;
                case '*':
                    regex.Append(slug ? SlugRest : NameChar).Append("{0,").Append(share).Append('}');
                    example.Append(share >= 7 ? "example" : "x"[..Math.Min(1, share)]);
                    break;
                default:
                    regex.Append(c == '.' ? "\\." : c.ToString());
                    example.Append(c);
                    break;
            }
        }
        return (regex.ToString(), example.Length > 0 ? example.ToString() : "x");
    }
}
