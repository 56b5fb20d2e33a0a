using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Pulseboard.Projection.Definitions;

internal static partial class DefinitionLoader
{
    /// <summary>Reads typed fields from YAML nodes, recording each problem with its line and field.</summary>
    internal sealed class Reader(string file, List<DefinitionError> errors)
    {
        /// <summary>How many problems were recorded so far, in every file read into the same list.</summary>
        public int Count => errors.Count;

        public void Error(long line, string field, string message) => errors.Add(new DefinitionError(file, (int)line, field, message));

        public static YamlNode? Child(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

        public void CheckKeys(YamlMappingNode map, string prefix, IReadOnlyCollection<string> allowed, string what)
        {
            foreach (var key in map.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                if (!allowed.Contains(name))
                {
                    var near = allowed.FirstOrDefault(a => Distance(a, name) <= 2);
                    Error(key.Start.Line, prefix + name, $"unknown field for {what}{(near is null ? "." : $"; did you mean {near}?")} It takes {string.Join(", ", allowed)}");
                }
            }
        }

        public string? Text(YamlMappingNode map, string key, string field)
        {
            var node = Child(map, key);
            if (node is null)
            {
                return null;
            }
            if (node is YamlScalarNode { Value: { } value })
            {
                return value;
            }
            Error(node.Start.Line, field, "must be text");
            return null;
        }

        public TimeSpan? Duration(YamlMappingNode map, string key, string field)
        {
            var text = Text(map, key, field);
            if (text is null)
            {
                return null;
            }
            if (Durations.TryParse(text, out var value))
            {
                return value;
            }
            Error(Child(map, key)!.Start.Line, field, $"\"{text}\" is not a duration; write {Durations.Hint}");
            return null;
        }

        public int? Int(YamlMappingNode map, string key, string field, int min, int max)
        {
            var text = Text(map, key, field);
            if (text is null)
            {
                return null;
            }
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }
            Error(Child(map, key)!.Start.Line, field, $"\"{text}\" is not a whole number from {min} to {max}");
            return null;
        }

        /// <summary>A whole number, negative allowed: where a dashboard stands in the list.</summary>
        public int? Order(YamlMappingNode map, string key, string field)
        {
            var node = Child(map, key);
            if (node is null)
            {
                return null;
            }
            var text = (node as YamlScalarNode)?.Value;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
            Error(node.Start.Line, field, $"{(text is null ? "is not" : $"\"{text}\" is not")} a whole number; write e.g. {key}: 10 (smaller comes first in the list of dashboards)");
            return null;
        }

        public ValuePath? Path(YamlMappingNode map, string key, string field)
        {
            var text = Text(map, key, field);
            if (text is null)
            {
                return null;
            }
            var path = ValuePath.TryParse(text, out var error);
            if (path is null)
            {
                Error(Child(map, key)!.Start.Line, field, error!);
            }
            return path;
        }

        public Template? Template(YamlMappingNode map, string key, string field)
        {
            var text = Text(map, key, field);
            if (text is null)
            {
                return null;
            }
            var template = Definitions.Template.TryParse(text, out var error);
            if (template is null)
            {
                Error(Child(map, key)!.Start.Line, field, $"\"{text}\": {error}");
            }
            return template;
        }

        /// <summary>A list of texts: a YAML sequence, or one text.</summary>
        public List<(string Text, long Line)>? List(YamlMappingNode map, string key, string field)
        {
            var node = Child(map, key);
            switch (node)
            {
                case null:
                    return null;
                case YamlScalarNode { Value: { } one }:
                    return [(one, node.Start.Line)];
                case YamlSequenceNode sequence:
                    var items = new List<(string, long)>();
                    foreach (var item in sequence.Children)
                    {
                        if (item is YamlScalarNode { Value: { } text })
                        {
                            items.Add((text, item.Start.Line));
                        }
                        else
                        {
                            Error(item.Start.Line, field, "must be a list of texts");
                        }
                    }
                    return items;
                default:
                    Error(node.Start.Line, field, "must be a list of texts, like [a, b]");
                    return null;
            }
        }

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }
            for (var j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }
            for (var i = 1; i <= a.Length; i++)
            {
                for (var j = 1; j <= b.Length; j++)
                {
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                }
            }
            return d[a.Length, b.Length];
        }
    }
}
