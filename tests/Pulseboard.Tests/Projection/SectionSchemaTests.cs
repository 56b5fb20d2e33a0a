using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Projection;

/// <summary>
/// The strict schema per section: for every sample dashboard's every section it keeps the three runtimes' rules
/// (StrictSchemaLint), its example passes its own checker and the event contract, and Ajv and xgrammar (real tools, in
/// Node) judge every instance exactly as the checker does.
/// </summary>
public sealed class SectionSchemaTests
{
    internal static IReadOnlyList<DashboardDefinition> Samples { get; } = LoadSamples();

    private static IReadOnlyList<DashboardDefinition> LoadSamples()
    {
        var set = DefinitionLoader.LoadDirectory(Path.Combine(Repo.Root, "dashboards"));
        Assert.Empty(set.Errors);
        return set.Dashboards;
    }

    internal static IEnumerable<(DashboardDefinition Dashboard, SectionPlan Section)> SampleSections =>
        Samples.SelectMany(d => d.Sections.Select(s => (d, s)));

    private static DashboardDefinition Parse(string yaml)
    {
        var errors = new List<DefinitionError>();
        var definition = DefinitionLoader.Parse("test.yaml", "test.yaml", Encoding.UTF8.GetBytes(yaml), errors);
        Assert.True(definition is not null, string.Join("\n", errors));
        return definition;
    }

    [Fact]
    public void Every_sample_sections_schema_keeps_openai_strict_llama_cpp_and_vllm_xgrammar_rules()
    {
        var problems = SampleSections.SelectMany(p =>
        {
            var schema = SectionSchema.For(p.Dashboard, p.Section);
            return StrictSchemaLint.OpenAiStrict(schema).Concat(StrictSchemaLint.LlamaCpp(schema)).Concat(StrictSchemaLint.VllmXgrammar(schema))
                .Select(problem => $"{p.Dashboard.Id}/{p.Section.Id} {problem}");
        }).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.NotEmpty(SampleSections);
    }

    [Fact]
    public void The_lint_finds_what_the_runtimes_refuse_in_the_generic_event_schema()
    {
        // Why the README's old claim was false: the validation contract is not a schema a runtime can constrain to.
        var generic = JsonNode.Parse(EventSchema.Utf8.Span)!.AsObject();
        var openAi = StrictSchemaLint.OpenAiStrict(generic);
        Assert.Contains("#: keyword $schema is outside the strict subset", openAi);
        Assert.Contains("#/properties/content: has no type (or an unknown one)", openAi);
        Assert.Contains(openAi, p => p.StartsWith("#: required must list every property", StringComparison.Ordinal));
        Assert.Contains("#/properties/id: keyword minLength is outside the strict subset", openAi);
        Assert.Contains("#/properties/content: Unrecognized schema (no type, anyOf, enum or const)", StrictSchemaLint.LlamaCpp(generic));
        Assert.Contains("#/properties/timestamp: format is not supported by xgrammar", StrictSchemaLint.VllmXgrammar(generic));
    }

    [Fact]
    public void Every_sample_sections_example_passes_its_checker_and_the_event_contract()
    {
        foreach (var (dashboard, section) in SampleSections)
        {
            var example = SectionSchema.Example(dashboard, section);
            Assert.Empty(SectionSchema.Check(dashboard, section, example));
            var errors = new List<EventError>();
            Assert.True(EventJson.Parse(Encoding.UTF8.GetBytes(example.ToJsonString()), errors) is not null, $"{dashboard.Id}/{section.Id}: {string.Join("; ", errors)}");
            _ = PriorityNames.TryParse(Encoding.UTF8.GetBytes(example["priority"]?.GetValue<string>() ?? "normal"), out var priority);
            Assert.True(section.From.Any(m => m.IsMatch(
                example["dashboard"]!.GetValue<string>(), example["section"]!.GetValue<string>(), example["action"]!.GetValue<string>(),
                example["source"]?.GetValue<string>(), priority)), $"{dashboard.Id}/{section.Id}: the example is not one the section takes");
        }
    }

    [Fact]
    public async Task Ajv_and_xgrammar_judge_every_instance_as_the_checker_does()
    {
        var checker = Path.Combine(Repo.Root, "tests", "schema-check");
        Assert.True(File.Exists(Path.Combine(checker, "node_modules", "@mlc-ai", "web-xgrammar", "lib", "index.js")),
            $"xgrammar is not installed: run 'npm ci' in {checker} (./test.sh does).");
        var cases = new JsonArray();
        var expected = new List<(string Name, List<bool> Valid)>();
        foreach (var (dashboard, section) in SampleSections)
        {
            var instances = Mutations(SectionSchema.Example(dashboard, section)).ToList();
            var name = $"{dashboard.Id}/{section.Id}";
            expected.Add((name, instances.ConvertAll(i => SectionSchema.Check(dashboard, section, i).Count == 0)));
            cases.Add(new JsonObject
            {
                ["name"] = name,
                ["schema"] = SectionSchema.For(dashboard, section),
                ["instances"] = new JsonArray([.. instances]),
            });
        }
        var (code, stdout, stderr) = await Processes.RunAsync("node", [Path.Combine(checker, "runtimes.mjs")], new JsonObject { ["cases"] = cases }.ToJsonString());
        Assert.True(code == 0, stderr);
        var verdicts = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(expected.Count, verdicts.Count);
        for (var i = 0; i < verdicts.Count; i++)
        {
            var (name, valid) = expected[i];
            Assert.Equal(name, verdicts[i]["name"]!.GetValue<string>());
            Assert.True(verdicts[i]["error"] is null, $"{name}: {verdicts[i]["error"]}");
            Assert.True(valid[0], $"{name}: the checker refuses the example");
            Assert.True(valid.Count(v => !v) >= 4, $"{name}: too few broken instances to prove anything");
            Assert.Equal(valid, verdicts[i]["ajv"]!.AsArray().Select(v => v!.GetValue<bool>()));
            Assert.Equal(valid, verdicts[i]["xgrammar"]!.AsArray().Select(v => v!.GetValue<bool>()));
        }
    }

    /// <summary>The example, then ways a model could get it wrong: each field dropped, retyped, nulled; a field too many.</summary>
    private static IEnumerable<JsonNode> Mutations(JsonObject example)
    {
        yield return example.DeepClone();
        yield return With(example, e => e["colour"] = "red");
        yield return With(example, e => e["dashboard"] = "zz-typo");
        yield return With(example, e => e["action"] = "two words");
        yield return With(example, e => e["priority"] = "urgent");
        yield return With(example, e => e.Remove("action"));
        foreach (var path in Leaves(example["content"], "content"))
        {
            yield return With(example, e => Set(e, path, true));
            yield return With(example, e => Set(e, path, null));
            yield return With(example, e => Set(e, path, "12"));
            yield return With(example, e => Set(e, path, 12.5));
        }
        if (example["content"] is JsonObject)
        {
            yield return With(example, e => e["content"]!["stray"] = 1);
        }
        if (example.ContainsKey("source"))
        {
            yield return With(example, e => e["source"] = null);
        }
    }

    private static JsonNode With(JsonObject example, Action<JsonObject> change)
    {
        var copy = example.DeepClone().AsObject();
        change(copy);
        return copy;
    }

    private static IEnumerable<string> Leaves(JsonNode? node, string path) => node is JsonObject o
        ? o.SelectMany(p => Leaves(p.Value, $"{path}.{p.Key}"))
        : node is null ? [] : [path];

    private static void Set(JsonObject e, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        if (parts.Length == 1)
        {
            e[parts[0]] = value;
            return;
        }
        JsonNode target = e;
        foreach (var part in parts[..^1])
        {
            target = target[part]!;
        }
        target[parts[^1]] = value;
    }

    [Fact]
    public void The_checker_names_each_field_and_how_to_fix_it()
    {
        var costs = Samples.Single(d => d.Id == "costs");
        var total = costs.Sections.Single(s => s.Id == "spend-total");
        var problems = SectionSchema.Check(costs, total, JsonNode.Parse("""
            {"dashboard":"cost","section":"spend","action":"add","priority":null,"content":{"usd":"12"},"colour":"red"}
            """));
        Assert.Equal(
            [
                "dashboard: must be \"costs\", not text \"cost\"",
                "content.usd: must be a number, not text \"12\"; write the number without quotes, e.g. 12.5",
                "colour: is not a field of this event; remove it (the fields are dashboard, section, action, priority, content)",
            ], problems);

        var missing = SectionSchema.Check(costs, total, JsonNode.Parse("""{"dashboard":"costs","section":"spend","content":{}}"""));
        Assert.Contains(missing, p => p.StartsWith("action: is required: text. What happened", StringComparison.Ordinal));
        Assert.Contains(missing, p => p.StartsWith("priority: is required: text or null. How urgent", StringComparison.Ordinal));
        Assert.Contains(missing, p => p.StartsWith("content.usd: is required: a number. On the dashboard: added to the running sum \"Spend recorded (USD)\"", StringComparison.Ordinal));

        Assert.Equal(["the event must be a JSON object with the fields dashboard, section, action, priority, content, not an array [1]"],
            SectionSchema.Check(costs, total, JsonNode.Parse("[1]")));
        Assert.Equal(["the event must be a JSON object with the fields dashboard, section, action, priority, content, not null"],
            SectionSchema.Check(costs, total, null));
    }

    [Fact]
    public void Globs_become_patterns_that_match_what_the_glob_and_the_event_rules_both_allow()
    {
        var definition = Parse("""
            sections:
              a:
                kind: feed
                from:
                  - { dashboard: "cost-*", section: "*-prod", action: "budget.*" }
            """);
        var schema = SectionSchema.For(definition, definition.Sections[0]);
        string Pattern(string field) => schema["properties"]![field]!["pattern"]!.GetValue<string>();
        var dashboard = new Regex(Pattern("dashboard"));
        var section = new Regex(Pattern("section"));
        var action = new Regex(Pattern("action"));
        string[] slugs = ["cost-", "cost-a", "cost--", "costs", "-prod", "a-prod", "x1-prod", "prod", "ab-prod-", new string('a', 58) + "-prod", new string('a', 59) + "-prod", "cost-" + new string('b', 58), "cost-" + new string('b', 59)];
        foreach (var value in slugs)
        {
            Assert.Equal(new Glob("cost-*").IsMatch(value) && EventRules.IsSlug(value), dashboard.IsMatch(value));
            Assert.Equal(new Glob("*-prod").IsMatch(value) && EventRules.IsSlug(value), section.IsMatch(value));
        }
        string[] names = ["budget.", "budget.x", "budgetx", "budget.a:b", "budget." + new string('c', 57), "budget." + new string('c', 58), "budget. x"];
        foreach (var value in names)
        {
            Assert.Equal(new Glob("budget.*").IsMatch(value) && EventRules.IsName(value), action.IsMatch(value));
        }
        Assert.Empty(SectionSchema.Check(definition, definition.Sections[0], SectionSchema.Example(definition, definition.Sections[0])));
    }

    [Fact]
    public void Matchers_that_differ_in_one_field_are_joined_and_others_are_named_in_the_description()
    {
        var definition = Parse("""
            sections:
              joined:
                kind: counter
                from: [ { section: a, action: x }, { section: a, action: "y*" }, { section: a, action: z } ]
              urgent:
                kind: counter
                from: [ { section: a, priority: critical }, { section: a, priority: high } ]
              first:
                kind: counter
                from: [ { section: a, action: x }, { section: b, action: y } ]
            """);
        var joined = SectionSchema.For(definition, definition.Sections[0]);
        Assert.Equal("^(x|y[A-Za-z0-9_.:-]{0,63}|z)$", joined["properties"]!["action"]!["pattern"]!.GetValue<string>());
        Assert.Equal("""["low","normal","high","critical",null]""", joined["properties"]!["priority"]!["enum"]!.ToJsonString());
        var urgent = SectionSchema.For(definition, definition.Sections[1]);
        Assert.Equal("""["high","critical"]""", urgent["properties"]!["priority"]!["enum"]!.ToJsonString());

        var first = SectionSchema.For(definition, definition.Sections[2]);
        Assert.Equal("""["a"]""", first["properties"]!["section"]!["enum"]!.ToJsonString());
        Assert.Equal("""["x"]""", first["properties"]!["action"]!["enum"]!.ToJsonString());
        Assert.EndsWith("This schema describes events to test/a with action x; the section also takes events to test/b with action y.",
            first["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Content_is_typed_from_the_paths_each_kind_reads()
    {
        var definition = Parse("""
            sections:
              whole:
                kind: stat
              nested:
                kind: table
                key: content.run.id
                columns: [content.run.id, { path: content.cost.usd, label: Cost }, source]
              beat:
                kind: heartbeat
                every: 30s
              plain:
                kind: feed
              nothing:
                kind: counter
            """);
        JsonObject Schema(string id) => SectionSchema.For(definition, definition.Sections.Single(s => s.Id == id));

        var whole = Schema("whole")["properties"]!["content"]!;
        Assert.Equal("""[{"type":"string"},{"type":"number"},{"type":"null"}]""", whole["anyOf"]!.ToJsonString());

        var nested = Schema("nested")["properties"]!;
        Assert.Equal("string", nested["content"]!["properties"]!["run"]!["properties"]!["id"]!["type"]!.GetValue<string>()); // a key: required text
        Assert.Equal("""["id"]""", nested["content"]!["properties"]!["run"]!["required"]!.ToJsonString());
        Assert.NotNull(nested["content"]!["properties"]!["cost"]!["properties"]!["usd"]!["anyOf"]);
        Assert.Equal("""["string","null"]""", nested["source"]!["type"]!.ToJsonString()); // shown in a column: optional

        var beat = Schema("beat")["properties"]!.AsObject();
        Assert.Equal("string", beat["source"]!["type"]!.GetValue<string>()); // the key: required
        Assert.False(beat.ContainsKey("content"));

        Assert.Equal("string", Schema("plain")["properties"]!["content"]!["type"]!.GetValue<string>()); // shown as the item's text
        Assert.Equal(["dashboard", "section", "action", "priority"], Schema("nothing")["properties"]!.AsObject().Select(p => p.Key));
    }
}
