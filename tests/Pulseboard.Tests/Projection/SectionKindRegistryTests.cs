using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Tests.Projection;

/// <summary>
/// The registry of section kinds (<see cref="SectionKinds"/>) is the one place a kind is found by its name: every plan
/// class is in it with its name, its YAML keys and its metric samples, and a name not in it is refused, never taken for
/// another kind.
/// </summary>
public sealed partial class SectionKindRegistryTests
{
    private static readonly Type[] s_plans =
        [.. typeof(SectionPlan).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(SectionPlan)) && !t.IsAbstract).OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>A section of each kind, and the samples it gives /metrics after one event with <c>content.n = 5</c> from source <c>a</c>.</summary>
    private static readonly Dictionary<string, (string Yaml, string Samples)> s_sampled = new(StringComparer.Ordinal)
    {
        ["stat"] = ("value: content.n", "value 5"),
        ["counter"] = ("value: content.n", "value 5; count 1"),
        ["feed"] = ("max: 10", ""),
        ["table"] = ("key: source\ncolumns: [content.n]", ""),
        ["timeseries"] = ("value: content.n", "value 5"),
        ["daily"] = ("value: content.n", "day 2026-11-22 5"),
        ["heartbeat"] = ("every: 60s", "last-seen a 1795348801"),
    };

    public static TheoryData<string> KindNames => [.. SectionKinds.All.Select(k => k.Name)];

    [Fact]
    public void Every_section_plan_is_registered_under_the_name_its_caches_are_written_with()
    {
        Assert.Equal(s_plans, SectionKinds.All.Select(k => k.Plan).OrderBy(t => t.Name, StringComparer.Ordinal));
        foreach (var type in s_plans)
        {
            var kind = Assert.Single(SectionKinds.All, k => k.Plan == type);
            Assert.True(type.IsAssignableTo(typeof(ISectionKind)), $"{type.Name} says nothing about its kind");
            // Kind is what a cache is written with; the registry must find the kind again by it.
            var plan = (SectionPlan)RuntimeHelpers.GetUninitializedObject(type);
            Assert.Equal(kind.Name, plan.Kind);
            Assert.Same(kind, SectionKinds.Find(plan.Kind));
        }
        Assert.Equal(SectionKinds.All.Count, SectionKinds.All.Select(k => k.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void A_kind_registers_its_own_keys_and_docs_DEFINITIONS_md_names_each(string name)
    {
        var kind = SectionKinds.Find(name)!;
        Assert.NotEmpty(kind.Keys);
        Assert.Equal(kind.Keys.Distinct(StringComparer.Ordinal), kind.Keys);
        Assert.Empty(kind.Keys.Intersect(["kind", "title", "from"]));
        var row = // the kinds table comes first (a later table describes each kind's schema)
            File.ReadLines(Path.Combine(Support.Repo.Root, "docs", "DEFINITIONS.md")).First(l => l.StartsWith($"| `{name}` |", StringComparison.Ordinal));
        var fields = row.Split('|')[2];
        var documented = Backticked().Matches(fields).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.All(kind.Keys, key => Assert.Contains(key, documented));
    }

    [Fact]
    public void Every_kind_in_the_docs_is_registered()
    {
        var documented = File.ReadLines(Path.Combine(Support.Repo.Root, "docs", "DEFINITIONS.md"))
            .SkipWhile(l => l != "## Section kinds").Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Select(l => KindRow().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value);
        Assert.Equal(SectionKinds.All.Select(k => k.Name), documented);
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void A_kind_registers_its_metric_samples_and_a_kind_charted_in_grafana_gives_one(string name)
    {
        Assert.True(s_sampled.ContainsKey(name), $"add a section of kind {name} and the samples it gives to {nameof(s_sampled)}");
        var (yaml, expected) = s_sampled[name];
        var plan = Stored.Section($"kind: {name}\n{yaml}");
        var state = Stored.Apply(plan, [Stored.Event(1, section: "s", content: """{"n":5}""", source: "a")]);
        using var cached = JsonDocument.Parse(Stored.Json(state, plan));
        var samples = new Recorder();
        SectionKinds.Find(name)!.Sample(cached.RootElement, samples);
        Assert.Equal(expected, string.Join("; ", samples.Lines));
        // A Grafana panel charts the series /metrics serves for the section: a kind that has a chart gives numbers.
        Assert.Equal(plan.Panel.Shape != PanelShape.Note, samples.Lines.Count > 0);
    }

    [Fact]
    public void A_section_of_an_unknown_kind_is_refused_with_the_known_kinds_listed()
    {
        // Heartbeat's own keys, so a loader that fell back to a heartbeat would accept it.
        var errors = new List<DefinitionError>();
        var definition = DefinitionLoader.Parse("fleet.yaml", "fleet.yaml", "sections:\n  models:\n    kind: pulse\n    every: 60s\n"u8.ToArray(), errors);
        Assert.Null(definition);
        var error = Assert.Single(errors);
        Assert.Equal(("fleet.yaml", 3, "sections.models.kind"), (error.File, error.Line, error.Field));
        Assert.Equal($"\"pulse\" is not one of {string.Join(", ", SectionKinds.All.Select(k => k.Name))}", error.Message);
        Assert.Equal("\"pulse\" is not one of stat, counter, feed, table, timeseries, daily, heartbeat", error.Message);
        Assert.Null(SectionKinds.Find("pulse"));
        Assert.Null(SectionKinds.Find("Heartbeat"));
    }

    [GeneratedRegex("`([a-z_]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex("^\\| `([a-z]+)` \\|")]
    private static partial Regex KindRow();

    private sealed class Recorder : ISampleSink
    {
        public List<string> Lines { get; } = [];

        public void Value(double value) => Lines.Add(FormattableString.Invariant($"value {value}"));

        public void Count(double events) => Lines.Add(FormattableString.Invariant($"count {events}"));

        public void Day(string day, double value) => Lines.Add(FormattableString.Invariant($"day {day} {value}"));

        public void LastSeen(string source, DateTimeOffset last) =>
            Lines.Add(string.Create(CultureInfo.InvariantCulture, $"last-seen {source} {last.ToUnixTimeSeconds()}"));
    }
}
