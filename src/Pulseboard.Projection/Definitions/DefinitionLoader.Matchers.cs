using YamlDotNet.RepresentationModel;

namespace Pulseboard.Projection.Definitions;

internal static partial class DefinitionLoader
{
    /// <summary>
    /// Reads <c>from:</c>, a list of matchers (or one). Without it, a section takes the events addressed to its own
    /// dashboard and section.
    /// </summary>
    private static List<Matcher> ReadMatchers(Reader reader, string dashboard, string section, string field, YamlMappingNode node)
    {
        var from = Reader.Child(node, "from");
        if (from is null)
        {
            return [new Matcher(new Glob(dashboard), new Glob(section), null, null, null)];
        }
        var entries = from switch
        {
            YamlSequenceNode sequence => sequence.Children.ToList(),
            YamlMappingNode one => [one],
            _ => [],
        };
        if (entries.Count == 0)
        {
            reader.Error(from.Start.Line, field, "must be a list of matchers, like [ { section: alerts }, { dashboard: \"*\", priority: critical } ]");
            return [];
        }
        var matchers = new List<Matcher>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entryField = $"{field}[{i}]";
            if (entries[i] is not YamlMappingNode entry)
            {
                reader.Error(entries[i].Start.Line, entryField, "must be a mapping of dashboard, section, action, source, priority");
                continue;
            }
            matchers.Add(ReadMatcher(reader, dashboard, entryField, entry));
        }
        return matchers;
    }

    /// <summary>Reads one matcher (an entry of <c>from:</c>, or an event alert's <c>event:</c>); its dashboard defaults to <paramref name="dashboard"/>.</summary>
    internal static Matcher ReadMatcher(Reader reader, string dashboard, string entryField, YamlMappingNode entry)
    {
        reader.CheckKeys(entry, entryField + ".", s_matcherKeys, "a matcher");
        var priorityText = reader.Text(entry, "priority", entryField + ".priority");
        Priority? priority = null;
        if (priorityText is not null)
        {
            if (PriorityNames.TryParse(System.Text.Encoding.UTF8.GetBytes(priorityText), out var p))
            {
                priority = p;
            }
            else
            {
                reader.Error(Reader.Child(entry, "priority")!.Start.Line, entryField + ".priority", $"\"{priorityText}\" is not one of {string.Join(", ", PriorityNames.All)} (it means at least that)");
            }
        }
        return new Matcher(
            Glob(reader, entry, "dashboard", entryField, slug: true) ?? new Glob(dashboard),
            Glob(reader, entry, "section", entryField, slug: true),
            Glob(reader, entry, "action", entryField, slug: false),
            Glob(reader, entry, "source", entryField, slug: false),
            priority);
    }

    private static Glob? Glob(Reader reader, YamlMappingNode entry, string key, string field, bool slug)
    {
        var text = reader.Text(entry, key, $"{field}.{key}");
        if (text is null)
        {
            return null;
        }
        var literal = text.Replace("*", "", StringComparison.Ordinal).Replace("?", "", StringComparison.Ordinal);
        var ok = literal.Length == 0 || (slug ? literal.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-') : EventRules.IsName(literal));
        if (!ok)
        {
            reader.Error(Reader.Child(entry, key)!.Start.Line, $"{field}.{key}",
                $"\"{text}\" can never match: {(key == "action" ? "an" : "a")} {key} is {(slug ? "a slug" : "a name")} ({(slug ? EventRules.SlugPattern : EventRules.NamePattern)}), with * and ? as wildcards");
            return null;
        }
        return new Definitions.Glob(text);
    }
}
