using Pulseboard.Projection.Sections;
using YamlDotNet.RepresentationModel;

namespace Pulseboard.Projection.Definitions;

internal static partial class DefinitionLoader
{
    private static readonly string[] s_columnKeys = ["path", "label"];

    /// <summary>
    /// Reads a table's <c>columns:</c>: each a path (<c>content.model</c>), or <c>{ path: content.model, label: Model }</c>
    /// for a heading other than the path's last segment; both kinds may be mixed. <paramref name="problems"/> says
    /// whether an entry was wrong (reported already), so the list is not also called missing.
    /// </summary>
    internal static List<TableColumn> ReadColumns(Reader reader, YamlMappingNode node, string field, out bool problems)
    {
        var before = reader.Count;
        var columns = new List<TableColumn>();
        var entries = Reader.Child(node, "columns") switch
        {
            null => [],
            YamlSequenceNode sequence => sequence.Children.ToList(),
            var one => [one], // one path, or one mapping
        };
        for (var i = 0; i < entries.Count; i++)
        {
            if (ReadColumn(reader, entries[i], $"{field}[{i}]") is { } column)
            {
                columns.Add(column);
            }
        }
        problems = reader.Count > before;
        return columns;
    }

    private static TableColumn? ReadColumn(Reader reader, YamlNode entry, string field)
    {
        switch (entry)
        {
            case YamlScalarNode { Value: { } text }:
                if (ValuePath.TryParse(text, out var error) is { } path)
                {
                    return TableColumn.Of(path);
                }
                reader.Error(entry.Start.Line, field, error!);
                return null;
            case YamlMappingNode map:
                reader.CheckKeys(map, field + ".", s_columnKeys, "a column");
                var columnPath = reader.Path(map, "path", field + ".path");
                if (Reader.Child(map, "path") is null)
                {
                    reader.Error(map.Start.Line, field + ".path", "is required: the path of the cell, e.g. { path: content.tokens_per_s, label: \"Tokens/s\" }");
                }
                var label = reader.Text(map, "label", field + ".label");
                if (label is not null && string.IsNullOrWhiteSpace(label))
                {
                    reader.Error(Reader.Child(map, "label")!.Start.Line, field + ".label", "is empty: write the column's heading, or leave label out to use the path's last segment");
                    label = null;
                }
                return columnPath is null ? null : label is null ? TableColumn.Of(columnPath) : new TableColumn(columnPath, label);
            default:
                reader.Error(entry.Start.Line, field, "must be a path (content.model) or a mapping { path: content.model, label: Model }");
                return null;
        }
    }
}
