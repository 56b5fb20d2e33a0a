using Pulseboard.Projection.Sections;
using YamlDotNet.RepresentationModel;

namespace Pulseboard.Projection.Definitions;

internal static partial class DefinitionLoader
{
    /// <summary>
    /// Reads one section: its kind (looked up in <see cref="SectionKinds"/>; a kind not there is an error naming the
    /// known ones), the keys every section has, then the kind's own keys, read by the kind.
    /// </summary>
    private static SectionPlan? ReadSection(Reader reader, string dashboard, string id, string field, YamlMappingNode node)
    {
        var name = reader.Text(node, "kind", field + ".kind");
        if (SectionKinds.Find(name) is not { } kind)
        {
            reader.Error(Reader.Child(node, "kind")?.Start.Line ?? node.Start.Line, field + ".kind",
                name is null ? $"is required: one of {SectionKinds.Names}" : $"\"{name}\" is not one of {SectionKinds.Names}");
            return null;
        }
        reader.CheckKeys(node, field + ".", ["kind", "title", "from", .. kind.Keys], $"a {kind.Name} section");
        var title = reader.Text(node, "title", field + ".title") ?? Humanize(id);
        var from = ReadMatchers(reader, dashboard, id, field + ".from", node);
        return kind.Read(new SectionYaml(reader, node, field, id, title, from));
    }

    /// <summary>Reads <c>remove_on:</c>, the actions that remove an item or a row (feeds and tables).</summary>
    internal static List<string> ReadActions(Reader reader, YamlMappingNode node, string field)
    {
        var actions = new List<string>();
        foreach (var (text, line) in reader.List(node, "remove_on", field) ?? [])
        {
            if (EventRules.IsName(text))
            {
                actions.Add(text);
            }
            else
            {
                reader.Error(line, field, $"\"{text}\" is not an action name ({EventRules.NamePattern})");
            }
        }
        return actions;
    }

    private static string Humanize(string id) =>
        id.Length == 0 ? id : char.ToUpperInvariant(id[0]) + id[1..].Replace('-', ' ');
}
