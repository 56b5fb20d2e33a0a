using Pulseboard.Projection.Sections;
using YamlDotNet.RepresentationModel;

namespace Pulseboard.Projection.Definitions;

/// <summary>
/// One section's YAML as its kind reads it (<see cref="ISectionKind.Read"/>): the id, title and matchers every section
/// has, already read, and typed access to the kind's own keys, each problem recorded under the section's field
/// (<c>sections.spend.agg</c>) with its line.
/// </summary>
/// <param name="Reader">Where problems are recorded.</param>
/// <param name="Node">The section's mapping.</param>
/// <param name="Field">The section's field path, <c>sections.spend</c>.</param>
/// <param name="Id">The section's id.</param>
/// <param name="Title">The section's title, given or made from the id.</param>
/// <param name="From">The section's matchers.</param>
internal readonly record struct SectionYaml(DefinitionLoader.Reader Reader, YamlMappingNode Node, string Field, string Id, string Title, IReadOnlyList<Matcher> From)
{
    /// <summary>The node under <paramref name="key"/>, null when the key is absent.</summary>
    public YamlNode? Child(string key) => DefinitionLoader.Reader.Child(Node, key);

    /// <summary>Records a problem with <paramref name="key"/> at <paramref name="line"/>.</summary>
    public void Error(long line, string key, string message) => Reader.Error(line, FieldOf(key), message);

    /// <summary>Text, or null when absent.</summary>
    public string? Text(string key) => Reader.Text(Node, key, FieldOf(key));

    /// <summary>A path into the event, or null when absent or wrong.</summary>
    public ValuePath? Path(string key) => Reader.Path(Node, key, FieldOf(key));

    /// <summary>A text template, or null when absent or wrong.</summary>
    public Template? Template(string key) => Reader.Template(Node, key, FieldOf(key));

    /// <summary>A duration (<c>90s</c>, <c>15m</c>), or null when absent or wrong.</summary>
    public TimeSpan? Duration(string key) => Reader.Duration(Node, key, FieldOf(key));

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, or null when absent or wrong.</summary>
    public int? Int(string key, int min, int max) => Reader.Int(Node, key, FieldOf(key), min, max);

    /// <summary><c>remove_on:</c>, the actions that remove an item or a row; empty when absent.</summary>
    public List<string> RemoveOn() => DefinitionLoader.ReadActions(Reader, Node, FieldOf("remove_on"));

    /// <summary><c>columns:</c>; <paramref name="problems"/> says whether an entry was wrong (reported already).</summary>
    public List<TableColumn> Columns(out bool problems) => DefinitionLoader.ReadColumns(Reader, Node, FieldOf("columns"), out problems);

    private string FieldOf(string key) => Field + "." + key;
}
