using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pulseboard.Projection.Definitions;

internal static partial class SectionSchema
{
    /// <summary>
    /// Checks <paramref name="node"/> against the subset <see cref="For"/> writes (type, enum, pattern, anyOf, closed
    /// objects), adding one message per problem: the field's path, what it must be, and what it was.
    /// </summary>
    private static void Validate(JsonObject schema, JsonNode? node, string path, List<string> problems)
    {
        var at = path.Length == 0 ? "the event" : path;
        if (schema["anyOf"] is JsonArray branches)
        {
            if (!branches.Any(b => Matches((JsonObject)b!, node)))
            {
                problems.Add($"{at}: must be {Types(schema)}, not {Shown(node)}");
            }
            return;
        }
        var types = Types(schema);
        var actual = TypeOf(node);
        if (!TypeList(schema).Contains(actual))
        {
            problems.Add($"{at}: must be {types}, not {Shown(node)}{Hint(schema, actual)}");
            return;
        }
        if (schema["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, node)))
        {
            var allowed = string.Join(", ", values.Select(v => v?.ToJsonString() ?? "null"));
            problems.Add(values.Count == 1 ? $"{at}: must be {allowed}, not {Shown(node)}" : $"{at}: must be one of {allowed}, not {Shown(node)}");
            return;
        }
        if (schema["pattern"] is JsonValue pattern && node is JsonValue value && value.TryGetValue<string>(out var text)
            && !Regex.IsMatch(text, pattern.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            problems.Add($"{at}: {Shown(node)} does not match {pattern.GetValue<string>()}: {schema["description"]}");
            return;
        }
        if (node is not JsonObject instance || schema["properties"] is not JsonObject properties)
        {
            return;
        }
        var prefix = path.Length == 0 ? "" : path + ".";
        foreach (var (name, property) in properties)
        {
            var fieldSchema = (JsonObject)property!;
            if (!instance.ContainsKey(name))
            {
                problems.Add($"{prefix}{name}: is required: {Types(fieldSchema)}. {fieldSchema["description"]}");
            }
        }
        foreach (var (name, child) in instance)
        {
            if (properties[name] is JsonObject fieldSchema)
            {
                Validate(fieldSchema, child, prefix + name, problems);
            }
            else
            {
                problems.Add($"{prefix}{name}: is not a field {(path.Length == 0 ? "of this event" : "here")}; remove it (the fields are {string.Join(", ", properties.Select(p => p.Key))})");
            }
        }
    }

    private static bool Matches(JsonObject schema, JsonNode? node)
    {
        var problems = new List<string>();
        Validate(schema, node, "", problems);
        return problems.Count == 0;
    }

    /// <summary>The JSON type of a value, as a schema names it.</summary>
    private static string TypeOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
    };

    private static List<string> TypeList(JsonObject schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(t => t!.GetValue<string>())],
        JsonValue one => [one.GetValue<string>()],
        _ => schema["anyOf"] is JsonArray branches ? [.. branches.SelectMany(b => TypeList((JsonObject)b!))] : [],
    };

    /// <summary>The types a schema allows, in words: "a number or null".</summary>
    private static string Types(JsonObject schema) => string.Join(" or ", TypeList(schema).Select(t => t switch
    {
        "string" => "text",
        "number" => "a number",
        "object" => "an object",
        "null" => "null",
        _ => t,
    }));

    /// <summary>How to fix the commonest slip: a number written as text, or text without quotes.</summary>
    private static string Hint(JsonObject schema, string actual)
    {
        var types = TypeList(schema);
        return actual switch
        {
            "string" when types.Contains("number") => "; write the number without quotes, e.g. 12.5",
            "number" when types.Contains("string") => "; write it as text in quotes",
            _ => "",
        };
    }

    /// <summary>A value as a message shows it: its JSON, cut short.</summary>
    private static string Shown(JsonNode? node)
    {
        var json = node?.ToJsonString() ?? "null";
        var kind = TypeOf(node) switch
        {
            "string" => "text",
            "number" => "a number",
            "boolean" => "a boolean",
            "object" => "an object",
            "array" => "an array",
            _ => "null",
        };
        return kind == "null" ? "null" : $"{kind} {(json.Length > 60 ? json[..57] + "..." : json)}";
    }
}
