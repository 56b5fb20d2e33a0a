using System.Text.Json.Nodes;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Projection.Definitions;

/// <summary>
/// The strict JSON Schema of one event a section takes, generated from its definition: what a model is constrained
/// to when it writes to that section (<c>GET /schema/{dashboard}/{section}.json</c>, <c>pulseboard schema</c>, MCP's
/// <c>describe_section</c>).
/// </summary>
/// <remarks>
/// <para>
/// The subset every runtime that constrains a model takes: OpenAI's strict structured outputs, vLLM's xgrammar and
/// llama.cpp's grammar converter (docs/DEFINITIONS.md, "Schemas per section"). Every object closed
/// (<c>additionalProperties: false</c>) with all its properties required, optional ones nullable; a type on every
/// node (two types of a shown value as <c>anyOf</c>, never at the root); fixed values as one-value <c>enum</c>s
/// (<c>const</c> is not in OpenAI's documented subset); globs as anchored patterns; no <c>format</c>,
/// <c>minLength</c>, <c>maxLength</c>, <c>$schema</c> or <c>$ref</c>; a description on every property.
/// </para>
/// <para>
/// Left out: <c>timestamp</c> (stamped on receipt) and <c>id</c> (the harness's idempotency key); <c>source</c> unless
/// the section keys on it, reads it or its matchers ask for one. The generic <see cref="EventSchema"/> stays the
/// validation contract: an event this schema allows, the server accepts. Pure functions of the definition.
/// </para>
/// </remarks>
internal static partial class SectionSchema
{
    /// <summary>The strict JSON Schema of one event this section takes (draft 2020-12 keywords; the strict subset above).</summary>
    public static JsonObject For(DashboardDefinition dashboard, SectionPlan section) => Build(dashboard, section).Schema;

    /// <summary>One example event, valid against <see cref="For"/>, that this section takes (and that changes its cache).</summary>
    public static JsonObject Example(DashboardDefinition dashboard, SectionPlan section) => Build(dashboard, section).Example;

    /// <summary>
    /// Every way <paramref name="instance"/> breaks <see cref="For"/>: one message per problem, each naming the field
    /// (a JSON path like <c>content.amount</c>) and how to fix it. Empty when valid.
    /// </summary>
    public static IReadOnlyList<string> Check(DashboardDefinition dashboard, SectionPlan section, JsonNode? instance)
    {
        var problems = new List<string>();
        if (instance is not JsonObject)
        {
            problems.Add($"the event must be a JSON object with the fields {string.Join(", ", Build(dashboard, section).Fields)}, not {Shown(instance)}");
            return problems;
        }
        Validate(For(dashboard, section), instance, "", problems);
        return problems;
    }

    /// <summary>A schema's property: its name, its schema, and its value in the example.</summary>
    private sealed record Field(string Name, JsonObject Schema, JsonNode? Example);

    private sealed record Built(JsonObject Schema, JsonObject Example, IReadOnlyList<string> Fields);

    private static Built Build(DashboardDefinition dashboard, SectionPlan section)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(section);
        var reads = section.Reads().ToList();
        var (described, others) = Described(section);
        var fields = Address(dashboard, section, described, reads);
        if (Content(section, reads) is { } content)
        {
            fields.Add(content);
        }
        var schema = new JsonObject
        {
            ["title"] = $"{dashboard.Id}/{section.Id} event",
            ["description"] = RootDescription(dashboard, section, described, others),
        };
        foreach (var (key, value) in Object(fields))
        {
            schema[key] = value?.DeepClone();
        }
        var example = new JsonObject();
        foreach (var field in fields)
        {
            example[field.Name] = field.Example?.DeepClone();
        }
        return new Built(schema, example, fields.ConvertAll(f => f.Name));
    }

    private static string RootDescription(DashboardDefinition dashboard, SectionPlan section, IReadOnlyList<Matcher> described, IReadOnlyList<Matcher> others)
    {
        var text = $"An event for the {section.Kind} \"{section.Title}\" on the dashboard \"{dashboard.Title}\" ({dashboard.Id}/{section.Id}), which shows {section.FromText}. "
            + "Write every field, null where there is none. Leave out timestamp (stamped on receipt) and id (an idempotency key the harness sets).";
        return others.Count == 0 ? text
            : text + $" This schema describes {string.Join(" or ", described.Select(m => m.ToWords()))}; the section also takes {string.Join(" or ", others.Select(m => m.ToWords()))}.";
    }

    /// <summary>A closed object of <paramref name="fields"/>, every one required.</summary>
    private static JsonObject Object(IReadOnlyList<Field> fields, string? description = null)
    {
        var schema = new JsonObject { ["type"] = "object" };
        if (description is not null)
        {
            schema["description"] = description;
        }
        var properties = new JsonObject();
        foreach (var field in fields)
        {
            properties[field.Name] = field.Schema;
        }
        schema["properties"] = properties;
        schema["required"] = new JsonArray([.. fields.Select(f => (JsonNode)f.Name)]);
        schema["additionalProperties"] = false;
        return schema;
    }

    /// <summary>A typed leaf: <c>{"type": …, "description": …}</c>, with <c>"null"</c> among the types when nullable.</summary>
    private static JsonObject Leaf(string type, bool nullable, string description) => new()
    {
        ["type"] = nullable ? new JsonArray(type, "null") : type,
        ["description"] = description,
    };
}
