using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Events;

/// <summary>
/// The schema and the validator must never disagree: every sample in tests/samples/event-samples.json is judged by
/// both, the validator here and an independent JSON Schema validator (Ajv, draft 2020-12) in Node.
/// </summary>
public sealed class EventSchemaTests
{
    private static readonly JsonArray s_samples = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "event-samples.json")))!.AsArray();

    [Fact]
    public void The_validator_judges_each_sample_as_expected()
    {
        foreach (var sample in s_samples)
        {
            var errors = new List<EventError>();
            var parsed = EventJson.Parse(Encoding.UTF8.GetBytes(sample!["event"]!.ToJsonString()), errors);
            Assert.True(sample["valid"]!.GetValue<bool>() == (parsed is not null), $"{sample["why"]}: validator said {string.Join("; ", errors)}");
        }
    }

    [Fact]
    public async Task The_schema_judges_each_sample_as_the_validator_does()
    {
        var checker = Path.Combine(Repo.Root, "tests", "schema-check");
        Assert.True(Directory.Exists(Path.Combine(checker, "node_modules", "ajv")),
            $"Ajv is not installed: run 'npm ci' in {checker} (./test.sh does).");
        var input = new JsonObject
        {
            ["schema"] = JsonNode.Parse(EventSchema.Utf8.Span),
            ["samples"] = new JsonArray(s_samples.Select(s => s!["event"]!.DeepClone()).ToArray()),
        };
        var (code, stdout, stderr) = await Processes.RunAsync("node", [Path.Combine(checker, "check.mjs")], input.ToJsonString());
        Assert.True(code == 0, stderr);
        var verdicts = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(s_samples.Count, verdicts.Length);
        for (var i = 0; i < verdicts.Length; i++)
        {
            var expected = s_samples[i]!["valid"]!.GetValue<bool>();
            Assert.True(expected == (verdicts[i] == "valid"), $"{s_samples[i]!["why"]}: the schema said {verdicts[i]}");
        }
    }

    [Fact]
    public void The_schema_is_draft_2020_12_and_closed()
    {
        using var schema = JsonDocument.Parse(EventSchema.Utf8);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
        Assert.False(schema.RootElement.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(EventRules.SlugPattern, schema.RootElement.GetProperty("properties").GetProperty("dashboard").GetProperty("pattern").GetString());
        Assert.Equal(EventRules.NamePattern, schema.RootElement.GetProperty("properties").GetProperty("action").GetProperty("pattern").GetString());
    }
}
