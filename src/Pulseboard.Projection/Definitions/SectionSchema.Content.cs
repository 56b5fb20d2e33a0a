using System.Text.Json.Nodes;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Projection.Definitions;

internal static partial class SectionSchema
{
    /// <summary>A level of the content: the reads of this very path, and the paths below it, in the order first read.</summary>
    private sealed class ContentNode
    {
        public List<SectionRead> Reads { get; } = [];

        public List<(string Name, ContentNode Node)> Children { get; } = [];

        public ContentNode Child(string name)
        {
            foreach (var (existing, node) in Children)
            {
                if (existing == name)
                {
                    return node;
                }
            }
            var child = new ContentNode();
            Children.Add((name, child));
            return child;
        }
    }

    /// <summary>
    /// <c>content</c> typed from the paths the section reads: an object of every path below it (nested for
    /// <c>content.a.b</c>), or the value itself when the section reads the content whole; null when it reads none.
    /// </summary>
    private static Field? Content(SectionPlan section, List<SectionRead> reads)
    {
        var root = new ContentNode();
        foreach (var read in reads.Where(r => r.Path.Root == "content"))
        {
            var node = root;
            foreach (var segment in read.Path.Segments)
            {
                node = node.Child(segment);
            }
            node.Reads.Add(read);
        }
        if (root.Reads.Count == 0 && root.Children.Count == 0)
        {
            return null; // the section reads nothing of it: a stray content would only be ignored
        }
        var (schema, example) = Typed(root, "content", $"The event's content: what \"{section.Title}\" reads from it.");
        return new Field("content", schema, example);
    }

    /// <summary>A node's schema and example value: a closed object when paths go below it, else a leaf typed by its reads.</summary>
    private static (JsonObject Schema, JsonNode? Example) Typed(ContentNode node, string name, string objectDescription)
    {
        var shows = string.Join("; ", node.Reads.Select(r => r.Shows).Distinct());
        if (node.Children.Count > 0)
        {
            // Read whole as well (a stat's content, a feed's readable text) and below: the object is what is shown.
            var fields = node.Children.Select(c =>
            {
                var (schema, example) = Typed(c.Node, c.Name, $"Holds {string.Join(", ", c.Node.Children.Select(g => g.Name))}.");
                return new Field(c.Name, schema, example);
            }).ToList();
            var description = shows.Length == 0 ? objectDescription : $"{objectDescription} Also shown whole on the dashboard: {shows}.";
            var example = new JsonObject();
            foreach (var field in fields)
            {
                example[field.Name] = field.Example?.DeepClone();
            }
            return (Object(fields, description), example);
        }
        var nullable = !node.Reads.Any(r => r.Required);
        var text = $"On the dashboard: {shows}.{(nullable ? " Null when there is none." : "")}";
        var leaf = name == "content" ? "value" : name;
        if (node.Reads.Any(r => r.As == ReadAs.Number))
        {
            return (Leaf("number", nullable, text), 1);
        }
        if (node.Reads.Any(r => r.As == ReadAs.Key))
        {
            return (Leaf("string", nullable, text), $"{leaf}-1");
        }
        if (node.Reads.Any(r => r.As == ReadAs.Text))
        {
            return (Leaf("string", nullable, text), "example text");
        }
        // Shown as it is: text or a number, the one union of types here (anyOf below the root, each branch typed).
        var branches = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "number" });
        if (nullable)
        {
            branches.Add(new JsonObject { ["type"] = "null" });
        }
        return (new JsonObject { ["description"] = text, ["anyOf"] = branches }, $"example {leaf}");
    }
}
