using System.Text;
using System.Text.Json.Nodes;
using Pulseboard.Projection.Definitions;
using Pulseboard.Tests.Projection;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Cli;

/// <summary><c>pulseboard schema</c> per section and <c>tail --unmatched</c>, as a user runs them: a real process.</summary>
public sealed class SchemaCliTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private static readonly string s_dashboards = Path.Combine(Repo.Root, "dashboards");

    public void Dispose() => _data.Dispose();

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(string? stdin, params string[] args) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), .. args, "--data", _data.Path], stdin);

    [Fact]
    public async Task Schema_prints_a_sections_strict_schema_and_its_example()
    {
        var costs = SectionSchemaTests.Samples.Single(d => d.Id == "costs");
        var spend = costs.Sections.Single(s => s.Id == "spend");
        var schema = await RunAsync(null, "schema", "--dashboard", "costs", "--section", "spend", "--dashboards", s_dashboards);
        Assert.Equal((0, Encoding.UTF8.GetString(SectionSchema.ToUtf8(SectionSchema.For(costs, spend)))), (schema.Code, schema.Stdout));
        var example = await RunAsync(null, "schema", "--dashboard", "costs", "--section", "spend", "--example", "--dashboards", s_dashboards);
        Assert.Equal(0, example.Code);
        Assert.Empty(SectionSchema.Check(costs, spend, JsonNode.Parse(example.Stdout)));
    }

    [Fact]
    public async Task Schema_all_writes_one_file_per_section_with_a_line_per_dashboard()
    {
        var folder = Path.Combine(_data.Path, "schemas");
        var all = await RunAsync(null, "schema", "--all", folder, "--dashboards", s_dashboards);
        Assert.Equal(0, all.Code);
        Assert.Equal($"wrote {SectionSchemaTests.SampleSections.Count()} schemas of {SectionSchemaTests.Samples.Count} dashboards to {folder}\n", all.Stdout);
        Assert.Contains("pulseboard schema: costs: 6 schemas\n", all.Stderr, StringComparison.Ordinal);
        foreach (var (dashboard, section) in SectionSchemaTests.SampleSections)
        {
            Assert.Equal(SectionSchema.ToUtf8(SectionSchema.For(dashboard, section)), File.ReadAllBytes(Path.Combine(folder, dashboard.Id, section.Id + ".json")));
        }
    }

    [Fact]
    public async Task Schema_says_what_to_fix_for_each_wrong_use()
    {
        async Task Refused(string message, params string[] args)
        {
            var run = await RunAsync(null, ["schema", .. args, "--dashboards", s_dashboards]);
            Assert.Equal(2, run.Code);
            Assert.Equal("", run.Stdout);
            Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        }
        await Refused("give both --dashboard and --section (the section's strict schema), or --all DIR for every section; --section is missing", "--dashboard", "costs");
        await Refused("--all writes every section's schema; leave out --dashboard, --section and --example", "--all", "out", "--dashboard", "costs");
        await Refused("--example needs --dashboard and --section", "--example");
        await Refused("there is no dashboard \"cost\"; the dashboards are arbitrage, checks, command-center, costs,", "--dashboard", "cost", "--section", "spend");
        await Refused("the dashboard \"costs\" has no section \"spnd\"; its sections are budget, spend-total, spend, spend-per-day, alerts, by-model", "--dashboard", "costs", "--section", "spnd");

        var missing = await RunAsync(null, "schema", "--dashboard", "costs", "--section", "spend", "--dashboards", Path.Combine(_data.Path, "nope"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("no folder", missing.Stderr, StringComparison.Ordinal);

        var broken = Path.Combine(_data.Path, "broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "costs.yaml"), "title: Costs\nsections:\n  spend:\n    kind: nope\n");
        var problem = await RunAsync(null, "schema", "--dashboard", "costs", "--section", "spend", "--dashboards", broken);
        Assert.Equal(2, problem.Code);
        Assert.Contains("the definition of \"costs\" has problems, so it has no schema until they are fixed (pulseboard check lists them all): costs.yaml:4 sections.spend.kind", problem.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_unmatched_lists_only_the_events_no_section_takes()
    {
        var lines = """
            {"dashboard":"costs","section":"spend","action":"spend","content":{"usd":1}}
            {"dashboard":"cots","section":"spend","action":"spend"}
            {"dashboard":"fleet","section":"models","action":"heartbeat","source":"llama"}
            {"dashboard":"fleet","section":"models","action":"heartbeet","source":"llama"}
            """;
        Assert.Equal(0, (await RunAsync(lines, "emit")).Code);
        var tail = await RunAsync(null, "tail", "--unmatched", "--dashboards", s_dashboards);
        Assert.Equal(0, tail.Code);
        var shown = tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, shown.Length);
        Assert.StartsWith("""{"seq":2,""", shown[0], StringComparison.Ordinal);
        Assert.StartsWith("""{"seq":4,""", shown[1], StringComparison.Ordinal);
        Assert.Equal($"pulseboard tail: 2 of 4 events in the log match no section of the {SectionSchemaTests.Samples.Count} definitions\n", tail.Stderr);

        var last = await RunAsync(null, "tail", "--unmatched", "-n", "1", "--dashboards", s_dashboards);
        Assert.StartsWith("""{"seq":4,""", last.Stdout, StringComparison.Ordinal);
        Assert.Contains("; the last 1 shown", last.Stderr, StringComparison.Ordinal);

        var missing = await RunAsync(null, "tail", "--unmatched", "--dashboards", Path.Combine(_data.Path, "nope"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("no folder", missing.Stderr, StringComparison.Ordinal);
    }
}
