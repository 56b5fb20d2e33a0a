using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pulseboard.Tests.Projection;

/// <summary>
/// The rules three model runtimes hold a structured-output schema to, written down as checks: each returns one line
/// per rule a schema breaks, naming the node (<c>#/properties/content</c>) and the rule. The real tools that could run
/// here (Ajv, xgrammar) run in tests/schema-check/runtimes.mjs; these are the rules of the ones that cannot.
/// </summary>
internal static partial class StrictSchemaLint
{
    /// <summary>Every keyword a generated schema may use: the intersection of the three runtimes' supported subsets.</summary>
    private static readonly HashSet<string> s_keywords = ["title", "description", "type", "properties", "required", "additionalProperties", "enum", "anyOf", "pattern"];

    private static readonly HashSet<string> s_types = ["string", "number", "integer", "boolean", "object", "array", "null"];

    /// <summary>
    /// OpenAI's strict structured outputs ("Supported schemas" in its Structured Outputs guide): the root is an object
    /// and not an anyOf; every object sets additionalProperties: false and lists every property in required (optional
    /// ones are nullable instead); only supported keywords (no allOf/not/if/then/else/dependent*, no format or
    /// length bounds, which fine-tuned models refuse and we leave out everywhere); at most 5,000 object properties and
    /// 10 levels of nesting; at most 1,000 enum values; at most 120,000 characters of property names, enum and const
    /// values; a type on every node (a nullable one as ["T", "null"]); anyOf branches each valid on their own.
    /// </summary>
    public static List<string> OpenAiStrict(JsonObject schema)
    {
        var problems = new List<string>();
        if (schema["type"]?.GetValue<string>() != "object")
        {
            problems.Add("#: the root must be an object (type: object)");
        }
        if (schema.ContainsKey("anyOf"))
        {
            problems.Add("#: the root must not be anyOf");
        }
        int properties = 0, enums = 0, characters = 0;
        Walk(schema, "#", 0, (node, path, depth) =>
        {
            foreach (var (key, _) in node)
            {
                if (!s_keywords.Contains(key))
                {
                    problems.Add($"{path}: keyword {key} is outside the strict subset");
                }
            }
            if (depth > 10)
            {
                problems.Add($"{path}: nested {depth} levels deep; at most 10");
            }
            var types = Types(node);
            if (node["anyOf"] is null && (types.Count == 0 || types.Any(t => !s_types.Contains(t))))
            {
                problems.Add($"{path}: has no type (or an unknown one)");
            }
            if (node["type"] is JsonArray many && (many.Count != 2 || !types.Contains("null")))
            {
                problems.Add($"{path}: a type list must be [\"T\", \"null\"], the documented nullable form; use anyOf for other unions");
            }
            if (types.Contains("object"))
            {
                if (node["additionalProperties"] is not JsonValue closed || closed.GetValue<bool>())
                {
                    problems.Add($"{path}: an object must set additionalProperties: false");
                }
                var names = (node["properties"] as JsonObject)?.Select(p => p.Key).ToList() ?? [];
                var required = (node["required"] as JsonArray)?.Select(r => r!.GetValue<string>()).ToList() ?? [];
                if (!names.Order().SequenceEqual(required.Order()))
                {
                    problems.Add($"{path}: required must list every property ({string.Join(", ", names)}), optional ones nullable");
                }
                properties += names.Count;
                characters += names.Sum(n => n.Length);
            }
            if (node["enum"] is JsonArray values)
            {
                enums += values.Count;
                characters += values.Sum(v => v is JsonValue s && s.TryGetValue<string>(out var text) ? text.Length : 0);
            }
        });
        if (properties > 5000)
        {
            problems.Add($"#: {properties} object properties; at most 5,000");
        }
        if (enums > 1000)
        {
            problems.Add($"#: {enums} enum values; at most 1,000");
        }
        if (characters > 120_000)
        {
            problems.Add($"#: {characters} characters of names and enum values; at most 120,000");
        }
        return problems;
    }

    /// <summary>
    /// llama.cpp's json_schema_to_grammar (common/json-schema-to-grammar.cpp; llama-server's json_schema, Ollama's
    /// format): a node it cannot place is a hard error ("Unrecognized schema: …": the 2025 releases refuse a node with
    /// only a description, such as an untyped content), so every node has a type or an anyOf; a pattern must start
    /// with ^ and end with $ ("Pattern must start with '^' and end with '$'"), and it compiles only a plain subset of
    /// regular expressions: no lookaround, no \d \w \s \b classes, bounded repetitions.
    /// </summary>
    public static List<string> LlamaCpp(JsonObject schema)
    {
        var problems = new List<string>();
        Walk(schema, "#", 0, (node, path, _) =>
        {
            var recognized = node.ContainsKey("$ref") || node.ContainsKey("anyOf") || node.ContainsKey("oneOf") || node.ContainsKey("enum")
                || node.ContainsKey("const") || Types(node).Count > 0;
            if (!recognized)
            {
                problems.Add($"{path}: Unrecognized schema (no type, anyOf, enum or const)");
            }
            if (node["pattern"] is JsonValue value)
            {
                var pattern = value.GetValue<string>();
                if (!pattern.StartsWith('^') || !pattern.EndsWith('$'))
                {
                    problems.Add($"{path}: Pattern must start with '^' and end with '$': {pattern}");
                }
                if (pattern.Contains("(?", StringComparison.Ordinal) || UnsupportedEscape().IsMatch(pattern))
                {
                    problems.Add($"{path}: pattern {pattern} uses syntax the converter does not compile (lookaround, \\d \\w \\s \\b)");
                }
                foreach (Match repeat in Repetition().Matches(pattern))
                {
                    if (int.Parse(repeat.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 1000)
                    {
                        problems.Add($"{path}: repetition {repeat.Value} is too large for a grammar");
                    }
                }
            }
        });
        return problems;
    }

    /// <summary>
    /// vLLM's pre-check before it hands a schema to xgrammar (has_xgrammar_unsupported_json_features in
    /// vllm/v1/structured_output/backend_xgrammar.py): a schema with multipleOf on a number, uniqueItems, contains,
    /// minContains or maxContains on an array, a string format xgrammar lacks, a pattern or format beside
    /// minLength/maxLength, or patternProperties/propertyNames on an object is refused (or sent to another backend).
    /// </summary>
    public static List<string> VllmXgrammar(JsonObject schema)
    {
        var problems = new List<string>();
        string[] unsupported = ["multipleOf", "uniqueItems", "contains", "minContains", "maxContains", "patternProperties", "propertyNames", "format"];
        Walk(schema, "#", 0, (node, path, _) =>
        {
            foreach (var keyword in unsupported.Where(node.ContainsKey))
            {
                problems.Add($"{path}: {keyword} is not supported by xgrammar");
            }
            if ((node.ContainsKey("pattern") || node.ContainsKey("format")) && (node.ContainsKey("minLength") || node.ContainsKey("maxLength")))
            {
                problems.Add($"{path}: a pattern beside minLength/maxLength: xgrammar would drop the lengths");
            }
        });
        return problems;
    }

    private static List<string> Types(JsonObject node) => node["type"] switch
    {
        JsonArray many => [.. many.Select(t => t?.GetValue<string>() ?? "")],
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    /// <summary>Visits every schema node: the root, each property's, each anyOf branch; depth counts objects.</summary>
    private static void Walk(JsonObject node, string path, int depth, Action<JsonObject, string, int> visit)
    {
        visit(node, path, depth);
        if (node["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                if (child is JsonObject schema)
                {
                    Walk(schema, $"{path}/properties/{name}", depth + 1, visit);
                }
            }
        }
        if (node["anyOf"] is JsonArray branches)
        {
            for (var i = 0; i < branches.Count; i++)
            {
                Walk((JsonObject)branches[i]!, $"{path}/anyOf/{i}", depth, visit);
            }
        }
    }

    [GeneratedRegex(@"\\[dDwWsSbB]")]
    private static partial Regex UnsupportedEscape();

    [GeneratedRegex(@"\{(?:\d+,)?(\d+)\}")]
    private static partial Regex Repetition();
}
