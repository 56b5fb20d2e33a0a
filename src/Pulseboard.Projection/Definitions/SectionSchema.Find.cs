using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Projection.Definitions;

internal static partial class SectionSchema
{
    private static readonly JsonWriterOptions s_indented = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // served as JSON, never inside HTML: quotes stay readable
    };

    /// <summary>
    /// The dashboard and section of <paramref name="definitions"/> with these ids; else null, and in
    /// <paramref name="problem"/> what is wrong, naming the ids there are (a dashboard whose file has problems, with
    /// the first of them).
    /// </summary>
    public static (DashboardDefinition Dashboard, SectionPlan Section)? Find(DefinitionSet definitions, string dashboard, string section, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        problem = null;
        var found = definitions.Dashboards.FirstOrDefault(d => d.Id == dashboard);
        if (found is null)
        {
            var broken = definitions.Errors.FirstOrDefault(e => System.IO.Path.GetFileNameWithoutExtension(e.File) == dashboard);
            problem = broken is not null
                ? $"the definition of \"{dashboard}\" has problems, so it has no schema until they are fixed (pulseboard check lists them all): {broken}"
                : $"there is no dashboard \"{Clip(dashboard)}\"; the dashboards are {Names(definitions.Dashboards.Select(d => d.Id))}";
            return null;
        }
        var plan = found.Sections.FirstOrDefault(s => s.Id == section);
        if (plan is null)
        {
            problem = $"the dashboard \"{dashboard}\" has no section \"{Clip(section)}\"; its sections are {Names(found.Sections.Select(s => s.Id))}";
            return null;
        }
        return (found, plan);
    }

    /// <summary>A schema or an example as indented UTF-8 JSON, as the server and the CLI write it.</summary>
    public static byte[] ToUtf8(JsonObject node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, s_indented))
        {
            node.WriteTo(writer);
        }
        System.Buffers.BuffersExtensions.Write(buffer, "\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static string Names(IEnumerable<string> ids)
    {
        var list = ids.ToList();
        return list.Count == 0 ? "none (no definition loaded)" : string.Join(", ", list);
    }

    /// <summary>An id from a request, cut short for a message: it may be anything a client sent.</summary>
    private static string Clip(string text) => text.Length > 64 ? text[..61] + "..." : text;
}
