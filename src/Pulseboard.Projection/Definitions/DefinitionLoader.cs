using System.Security.Cryptography;
using Pulseboard.Projection.Sections;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pulseboard.Projection.Definitions;

/// <summary>The definitions found in a folder, and every problem in every file.</summary>
internal sealed record DefinitionSet(IReadOnlyList<DashboardDefinition> Dashboards, IReadOnlyList<DefinitionError> Errors);

/// <summary>
/// Reads <c>dashboards/&lt;id&gt;.yaml</c> files into plans, reporting every problem at once with its file, line and
/// field, and what to write instead.
/// </summary>
internal static partial class DefinitionLoader
{
    private static readonly string[] s_topKeys = ["title", "order", "refresh", "stale_after", "sections", "alerts"];
    private static readonly string[] s_matcherKeys = ["dashboard", "section", "action", "source", "priority"];

    /// <summary>Loads every <c>*.yaml</c> in <paramref name="directory"/>; an absent folder holds no dashboards.</summary>
    public static DefinitionSet LoadDirectory(string directory)
    {
        var dashboards = new List<DashboardDefinition>();
        var errors = new List<DefinitionError>();
        if (Directory.Exists(directory))
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal); // id -> the file that defines it
            foreach (var path in Directory.GetFiles(directory).Where(IsDefinitionFile).Order(StringComparer.Ordinal))
            {
                var file = System.IO.Path.GetFileName(path);
                var id = System.IO.Path.GetFileNameWithoutExtension(path);
                if (files.TryGetValue(id, out var first))
                {
                    // costs.yaml and costs.yml would both write caches/costs.json.
                    errors.Add(new DefinitionError(file, 0, "", $"defines the dashboard \"{id}\" again, after {first}: keep one file per id (delete or rename {file})"));
                    continue;
                }
                files.Add(id, file);
                if (LoadFile(path, errors) is { } definition)
                {
                    dashboards.Add(definition);
                }
            }
        }
        return new DefinitionSet(dashboards, errors);
    }

    private static bool IsDefinitionFile(string path) =>
        path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal);

    /// <summary>Loads one file; null when it has problems, each added to <paramref name="errors"/>.</summary>
    public static DashboardDefinition? LoadFile(string path, List<DefinitionError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var file = System.IO.Path.GetFileName(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            errors.Add(new DefinitionError(file, 0, "", $"cannot be read: {ex.Message}"));
            return null;
        }
        return Parse(file, path, bytes, errors);
    }

    /// <summary>Parses a definition's bytes; the id is the file name without its extension.</summary>
    public static DashboardDefinition? Parse(string file, string path, byte[] bytes, List<DefinitionError> errors)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(errors);
        var before = errors.Count;
        var id = System.IO.Path.GetFileNameWithoutExtension(file);
        var reader = new Reader(file, errors);
        if (!EventRules.IsSlug(id))
        {
            reader.Error(0, "", $"the file name is the dashboard's id and must be a slug ({EventRules.SlugPattern}): rename it, e.g. {Slugify(id)}.yaml");
        }
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            using var text = new StreamReader(new MemoryStream(bytes));
            stream.Load(text);
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
        }
        catch (YamlException ex)
        {
            reader.Error((int)ex.Start.Line, "", $"is not valid YAML: {ex.Message}");
            return null;
        }
#pragma warning disable CA1031 // The YAML parser throws other exceptions on some broken input (found by fuzzing): still a message, never a crash.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            reader.Error(0, "", $"is not valid YAML ({ex.Message}); check the indentation and the quotes");
            return null;
        }
        if (root is null)
        {
            reader.Error(0, "", "must be a YAML mapping with title, refresh, stale_after and sections (see docs/DEFINITIONS.md)");
            return null;
        }
        reader.CheckKeys(root, "", s_topKeys, "a definition");
        var title = reader.Text(root, "title", "title") ?? id;
        var refresh = reader.Duration(root, "refresh", "refresh") ?? TimeSpan.FromSeconds(60);
        var staleAfter = reader.Duration(root, "stale_after", "stale_after");
        var order = reader.Order(root, "order", "order");
        var sections = new List<SectionPlan>();
        if (Reader.Child(root, "sections") is not YamlMappingNode sectionNodes)
        {
            reader.Error(root.Start.Line, "sections", "is required: a mapping of section ids to sections, in page order");
        }
        else
        {
            foreach (var (key, node) in sectionNodes.Children)
            {
                if (key is not YamlScalarNode { Value: { } sectionId })
                {
                    reader.Error(key.Start.Line, "sections", $"a section id must be a slug ({EventRules.SlugPattern}), not a list or a mapping");
                    continue;
                }
                var field = $"sections.{sectionId}";
                if (!EventRules.IsSlug(sectionId))
                {
                    reader.Error(key.Start.Line, field, $"a section id must be a slug ({EventRules.SlugPattern})");
                    continue;
                }
                if (node is not YamlMappingNode section)
                {
                    reader.Error(node.Start.Line, field, "must be a mapping with at least kind:");
                    continue;
                }
                if (ReadSection(reader, id, sectionId, field, section) is { } plan)
                {
                    sections.Add(plan);
                }
            }
            if (sectionNodes.Children.Count == 0)
            {
                reader.Error(sectionNodes.Start.Line, "sections", "is empty; add at least one section");
            }
        }
        var alerts = ReadAlerts(reader, id, root, sections);
        if (errors.Count > before)
        {
            return null;
        }
        return new DashboardDefinition
        {
            Id = id,
            Title = title,
            Refresh = refresh,
            StaleAfter = staleAfter,
            Order = order,
            Sections = sections,
            Alerts = alerts,
            Hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)),
            Path = path,
        };
    }

    private static string Slugify(string id)
    {
        var slug = new string(id.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return slug.Length == 0 ? "my-dashboard" : slug;
    }
}
