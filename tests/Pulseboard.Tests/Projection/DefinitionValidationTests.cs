using System.Text;
using Pulseboard.Projection.Definitions;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Projection;

public sealed class DefinitionValidationTests
{
    private const string Slug = "^[a-z0-9][a-z0-9-]{0,62}$";
    private const string Kinds = "stat, counter, feed, table, timeseries, daily, heartbeat";

    private static List<string> Errors(string yaml, string file = "costs.yaml")
    {
        var errors = new List<DefinitionError>();
        var definition = DefinitionLoader.Parse(file, file, Encoding.UTF8.GetBytes(yaml), errors);
        if (errors.Count > 0)
        {
            Assert.Null(definition);
        }
        else
        {
            Assert.NotNull(definition);
        }
        return errors.Select(e => e.ToString()).ToList();
    }

    private static void AssertOnly(string expected, string yaml, string file = "costs.yaml") =>
        Assert.Equal([expected], Errors(yaml, file));

    [Fact]
    public void A_bad_agg_names_file_line_field_and_the_choices()
    {
        const string yaml = """
            title: Costs
            refresh: 60s
            stale_after: 15m
            sections:
              budget:
                kind: stat
                title: Budget
                text: "{content.current} of {content.limit}"
                from:
                  - { section: alerts, action: "budget_*" }
              spend:
                kind: timeseries
                value: content.current
                agg: median
            """;
        AssertOnly("""costs.yaml:14 sections.spend.agg: "median" is not one of last, sum, avg, min, max, count""", yaml);
    }

    [Fact]
    public void The_error_record_keeps_its_parts()
    {
        var errors = new List<DefinitionError>();
        DefinitionLoader.Parse("costs.yaml", "costs.yaml", "sections:\n  spend:\n    kind: timeseries\n    agg: median\n"u8.ToArray(), errors);
        var error = Assert.Single(errors);
        Assert.Equal(("costs.yaml", 4, "sections.spend.agg"), (error.File, error.Line, error.Field));
        Assert.Equal("\"median\" is not one of last, sum, avg, min, max, count", error.Message);
    }

    [Fact]
    public void An_unknown_kind_lists_the_kinds()
    {
        AssertOnly($"""costs.yaml:4 sections.gauge.kind: "gauge" is not one of {Kinds}""", """
            title: Costs
            sections:
              gauge:
                kind: gauge
            """);
    }

    [Fact]
    public void A_missing_kind_is_reported_at_the_section()
    {
        AssertOnly($"costs.yaml:4 sections.spend.kind: is required: one of {Kinds}", """
            title: Costs
            sections:
              spend:
                title: Spend
                value: content.usd
            """);
    }

    [Fact]
    public void An_unknown_section_field_suggests_the_near_one()
    {
        AssertOnly("costs.yaml:5 sections.budget.tittle: unknown field for a stat section; did you mean title? It takes kind, title, from, value, text", """
            title: Costs
            sections:
              budget:
                kind: stat
                tittle: Budget
            """);
    }

    [Fact]
    public void An_unknown_top_level_field_suggests_the_near_one()
    {
        AssertOnly("costs.yaml:2 refesh: unknown field for a definition; did you mean refresh? It takes title, order, refresh, stale_after, sections, alerts", """
            title: Costs
            refesh: 60s
            sections:
              budget: { kind: stat }
            """);
    }

    [Fact]
    public void An_unknown_field_far_from_any_still_lists_the_fields()
    {
        AssertOnly("costs.yaml:2 colour: unknown field for a definition. It takes title, order, refresh, stale_after, sections, alerts", """
            title: Costs
            colour: red
            sections:
              budget: { kind: stat }
            """);
    }

    [Fact]
    public void A_bad_duration_says_how_to_write_one()
    {
        AssertOnly("""costs.yaml:2 refresh: "1 minute" is not a duration; write a whole number and a unit: 500ms, 30s, 15m, 1h or 7d""", """
            title: Costs
            refresh: 1 minute
            sections:
              budget: { kind: stat }
            """);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("15")]
    [InlineData("1w")]
    [InlineData("-5m")]
    [InlineData("1.5h")]
    public void Durations_reject_what_is_not_a_positive_whole_number_and_unit(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Theory]
    [InlineData("500ms", 0, 0, 0, 500)]
    [InlineData("30s", 0, 0, 30, 0)]
    [InlineData("15m", 0, 15, 0, 0)]
    [InlineData("1h", 1, 0, 0, 0)]
    [InlineData("7d", 168, 0, 0, 0)]
    public void Durations_read_each_unit(string text, int hours, int minutes, int seconds, int ms)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(new TimeSpan(0, hours, minutes, seconds, ms), value);
    }

    [Fact]
    public void Missing_sections_are_required()
    {
        AssertOnly("costs.yaml:1 sections: is required: a mapping of section ids to sections, in page order", """
            title: Costs
            refresh: 60s
            """);
    }

    [Fact]
    public void Empty_sections_ask_for_one()
    {
        AssertOnly("costs.yaml:2 sections: is empty; add at least one section", """
            title: Costs
            sections: {}
            """);
    }

    [Fact]
    public void A_section_id_must_be_a_slug()
    {
        AssertOnly($"costs.yaml:3 sections.Spend_Total: a section id must be a slug ({Slug})", """
            title: Costs
            sections:
              Spend_Total:
                kind: counter
            """);
    }

    [Fact]
    public void A_section_id_that_is_a_list_is_reported_not_thrown()
    {
        Assert.Equal(
        [
            $"costs.yaml:3 sections: a section id must be a slug ({Slug}), not a list or a mapping",
            """costs.yaml:5 sections.spend.kind: "gauge" is not one of stat, counter, feed, table, timeseries, daily, heartbeat""",
        ], Errors("""
            title: Costs
            sections:
              [a, b]: { kind: stat }
              spend:
                kind: gauge
            """));
    }

    [Fact]
    public void Two_files_for_one_id_are_reported()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "costs.yaml"), "sections:\n  a: { kind: stat }\n");
        File.WriteAllText(Path.Combine(dir.Path, "costs.yml"), "sections:\n  a: { kind: counter }\n");
        var set = DefinitionLoader.LoadDirectory(dir.Path);
        Assert.Equal(["costs.yml: defines the dashboard \"costs\" again, after costs.yaml: keep one file per id (delete or rename costs.yml)"], set.Errors.Select(e => e.ToString()));
        var costs = Assert.Single(set.Dashboards);
        Assert.Equal(("costs", "stat"), (costs.Id, costs.Sections[0].Kind));
    }

    [Fact]
    public void A_file_name_must_be_a_slug_and_a_new_name_is_offered()
    {
        AssertOnly($"My Costs.yaml: the file name is the dashboard's id and must be a slug ({Slug}): rename it, e.g. my-costs.yaml", """
            title: Costs
            sections:
              budget: { kind: stat }
            """, "My Costs.yaml");
    }

    [Fact]
    public void A_table_needs_key_and_columns()
    {
        Assert.Equal(
        [
            "costs.yaml:4 sections.agents.key: is required: the path that names a row, e.g. source or content.id",
            "costs.yaml:4 sections.agents.columns: is required: 1 to 20 paths, e.g. [source, content.model], or { path: content.model, label: Model }",
        ], Errors("""
            title: Costs
            sections:
              agents:
                kind: table
                max: 10
            """));
    }

    [Fact]
    public void A_timeseries_needs_a_value_unless_it_counts()
    {
        AssertOnly("costs.yaml:4 sections.spend.value: is required for agg: sum: the path of the number, e.g. content.current (only agg: count needs none)", """
            title: Costs
            sections:
              spend:
                kind: timeseries
                agg: sum
            """);
        AssertOnly("costs.yaml:4 sections.spend.value: is required for agg: last: the path of the number, e.g. content.current (only agg: count needs none)", """
            title: Costs
            sections:
              spend:
                kind: timeseries
            """);
        Assert.Empty(Errors("""
            title: Costs
            sections:
              spend:
                kind: timeseries
                agg: count
            """));
    }

    [Fact]
    public void A_timeseries_holds_at_most_1000_buckets()
    {
        AssertOnly("costs.yaml:7 sections.spend.window: must hold 1 to 1000 buckets of at least 1s: widen bucket or narrow window", """
            title: Costs
            sections:
              spend:
                kind: timeseries
                value: content.usd
                bucket: 1m
                window: 7d
            """);
        AssertOnly("costs.yaml:7 sections.spend.window: must hold 1 to 1000 buckets of at least 1s: widen bucket or narrow window", """
            title: Costs
            sections:
              spend:
                kind: timeseries
                value: content.usd
                bucket: 1h
                window: 30m
            """);
        Assert.Empty(Errors("""
            title: Costs
            sections:
              spend:
                kind: timeseries
                value: content.usd
                bucket: 1m
                window: 1000m
            """));
    }

    [Fact]
    public void A_heartbeat_needs_every()
    {
        AssertOnly("costs.yaml:4 sections.fleet.every: is required: the interval each source promises, e.g. 60s", """
            title: Costs
            sections:
              fleet:
                kind: heartbeat
                grace: 30s
            """);
    }

    [Fact]
    public void A_feed_that_removes_needs_a_key()
    {
        AssertOnly("costs.yaml:6 sections.alerts.remove_on: needs key: the item removed is the one with the event's key", """
            title: Costs
            sections:
              alerts:
                kind: feed
                max: 50
                remove_on: [resolved]
            """);
    }

    [Fact]
    public void A_matcher_priority_must_be_a_priority()
    {
        AssertOnly("""costs.yaml:7 sections.alerts.from[1].priority: "urgent" is not one of low, normal, high, critical (it means at least that)""", """
            title: Costs
            sections:
              alerts:
                kind: feed
                from:
                  - { section: alerts }
                  - { dashboard: "*", priority: urgent }
            """);
    }

    [Fact]
    public void A_glob_that_can_never_match_is_reported()
    {
        Assert.Equal(
        [
            $"""costs.yaml:6 sections.alerts.from[0].dashboard: "Costs" can never match: a dashboard is a slug ({Slug}), with * and ? as wildcards""",
            """costs.yaml:7 sections.alerts.from[1].action: "budget warning" can never match: an action is a name (^[A-Za-z0-9_.:-]{1,64}$), with * and ? as wildcards""",
        ], Errors("""
            title: Costs
            sections:
              alerts:
                kind: feed
                from:
                  - { dashboard: "Costs" }
                  - { action: "budget warning" }
            """));
    }

    [Fact]
    public void An_unknown_matcher_field_suggests_the_near_one()
    {
        AssertOnly("costs.yaml:6 sections.alerts.from[0].sectoin: unknown field for a matcher; did you mean section? It takes dashboard, section, action, source, priority", """
            title: Costs
            sections:
              alerts:
                kind: feed
                from:
                  - { sectoin: alerts }
            """);
    }

    [Fact]
    public void A_template_with_an_unclosed_brace_is_reported()
    {
        AssertOnly("""costs.yaml:5 sections.budget.text: "{content.current of": '{' at character 1 is not closed; write {content.x}, or '{{' for a brace""", """
            title: Costs
            sections:
              budget:
                kind: stat
                text: "{content.current of"
            """);
    }

    [Fact]
    public void A_template_with_a_lone_closing_brace_is_reported()
    {
        AssertOnly("""costs.yaml:5 sections.budget.text: "spent} {content.x}": a lone '}' at character 6; write '}}' for a brace""", """
            title: Costs
            sections:
              budget:
                kind: stat
                text: "spent} {content.x}"
            """);
    }

    [Fact]
    public void A_bad_path_lists_where_a_path_may_start()
    {
        AssertOnly("""costs.yaml:5 sections.budget.value: "contents.x" is not a path; a path starts with one of content, dashboard, section, action, source, priority, timestamp, id, seq (content.x.y reads into the content)""", """
            title: Costs
            sections:
              budget:
                kind: stat
                value: contents.x
            """);
    }

    [Fact]
    public void A_bad_path_in_a_template_or_a_column_is_reported_too()
    {
        Assert.Equal(
        [
            """costs.yaml:5 sections.budget.text: "{source.name} spent": "source.name" is not a path: only content has fields below it""",
            """costs.yaml:9 sections.agents.columns[1]: "content..model" has an empty segment; write content.a.b""",
        ], Errors("""
            title: Costs
            sections:
              budget:
                kind: stat
                text: "{source.name} spent"
              agents:
                kind: table
                key: source
                columns: [source, content..model]
            """));
    }

    [Fact]
    public void Invalid_yaml_is_reported_with_its_line()
    {
        AssertOnly("costs.yaml:4: is not valid YAML: While parsing a flow mapping, did not find expected ',' or '}'.", """
            title: Costs
            sections:
              budget: { kind: stat
            """);
        AssertOnly("costs.yaml:5: is not valid YAML: While parsing a block mapping, did not find expected key.", """
            title: Costs
            sections:
              budget:
                kind: stat
               title: Budget
              alerts:
                kind: feed
            """);
        AssertOnly("costs.yaml:5: is not valid YAML: While scanning a multi-line double-quoted scalar, found wrong indentation.", """
            title: Costs
            sections:
              budget:
                kind: stat
                title: "Budget
              alerts:
                kind: feed
            """);
    }

    [Fact]
    public void A_duplicate_key_is_reported_with_its_line()
    {
        AssertOnly("costs.yaml:2: is not valid YAML: Duplicate key title", """
            title: Costs
            title: Spend
            sections:
              budget: { kind: stat }
            """);
    }

    [Fact]
    public void A_document_that_is_not_a_mapping_is_reported()
    {
        AssertOnly("costs.yaml: must be a YAML mapping with title, refresh, stale_after and sections (see docs/DEFINITIONS.md)", "- a\n- b\n");
        AssertOnly("costs.yaml: must be a YAML mapping with title, refresh, stale_after and sections (see docs/DEFINITIONS.md)", "");
    }

    [Fact]
    public void Every_problem_in_every_file_is_reported_in_one_load()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "costs.yaml"), """
            title: Costs
            refresh: soon
            sections:
              spend:
                kind: timeseries
                value: content.usd
                agg: median
              alerts:
                kind: feed
                remove_on: [resolved]
                from:
                  - { dashboard: "Costs", priority: urgent }
            """);
        File.WriteAllText(Path.Combine(dir.Path, "fleet.yaml"), """
            title: Fleet
            sections:
              beats:
                kind: heartbeat
              models:
                kind: gauge
            """);
        File.WriteAllText(Path.Combine(dir.Path, "good.yaml"), """
            title: Good
            sections:
              leads: { kind: counter }
            """);
        File.WriteAllText(Path.Combine(dir.Path, "notes.txt"), "not a definition: {");

        var set = DefinitionLoader.LoadDirectory(dir.Path);

        Assert.Equal(
        [
            """costs.yaml:2 refresh: "soon" is not a duration; write a whole number and a unit: 500ms, 30s, 15m, 1h or 7d""",
            """costs.yaml:7 sections.spend.agg: "median" is not one of last, sum, avg, min, max, count""",
            """costs.yaml:12 sections.alerts.from[0].priority: "urgent" is not one of low, normal, high, critical (it means at least that)""",
            $"""costs.yaml:12 sections.alerts.from[0].dashboard: "Costs" can never match: a dashboard is a slug ({Slug}), with * and ? as wildcards""",
            "costs.yaml:10 sections.alerts.remove_on: needs key: the item removed is the one with the event's key",
            "fleet.yaml:4 sections.beats.every: is required: the interval each source promises, e.g. 60s",
            $"""fleet.yaml:6 sections.models.kind: "gauge" is not one of {Kinds}""",
        ], set.Errors.Select(e => e.ToString()));
        Assert.Equal(["good"], set.Dashboards.Select(d => d.Id));
    }

    [Fact]
    public void Every_problem_of_one_section_is_reported_even_when_it_cannot_compile()
    {
        Assert.Equal(
        [
            """costs.yaml:5 sections.spend.agg: "median" is not one of last, sum, avg, min, max, count""",
            """costs.yaml:6 sections.spend.bucket: "1 hour" is not a duration; write a whole number and a unit: 500ms, 30s, 15m, 1h or 7d""",
            "costs.yaml:8 sections.agents.key: is required: the path that names a row, e.g. source or content.id",
            """costs.yaml:9 sections.agents.max: "5000" is not a whole number from 1 to 1000""",
            """costs.yaml:10 sections.agents.remove_on: "gone away" is not an action name (^[A-Za-z0-9_.:-]{1,64}$)""",
            "costs.yaml:13 sections.fleet.every: is required: the interval each source promises, e.g. 60s",
            """costs.yaml:14 sections.fleet.grace: "soon" is not a duration; write a whole number and a unit: 500ms, 30s, 15m, 1h or 7d""",
            """costs.yaml:15 sections.fleet.max_sources: "0" is not a whole number from 1 to 10000""",
        ], Errors("""
            title: Costs
            sections:
              spend:
                kind: timeseries
                agg: median
                bucket: 1 hour
              agents:
                kind: table
                max: 5000
                remove_on: [gone away]
                columns: [source]
              fleet:
                kind: heartbeat
                grace: soon
                max_sources: 0
            """));
    }

    [Fact]
    public void An_absent_folder_holds_no_dashboards()
    {
        using var dir = new TempDirectory();
        var set = DefinitionLoader.LoadDirectory(Path.Combine(dir.Path, "nowhere"));
        Assert.Empty(set.Dashboards);
        Assert.Empty(set.Errors);
    }

    [Fact]
    public void Every_sample_dashboard_loads_without_errors()
    {
        var set = DefinitionLoader.LoadDirectory(Path.Combine(Repo.Root, "dashboards"));
        Assert.Equal([], set.Errors.Select(e => e.ToString()));
        Assert.Equal(
            ["arbitrage", "checks", "command-center", "costs", "fleet", "kickstarter", "mindminer", "nova-launch", "schell-ip", "velocity"],
            set.Dashboards.Select(d => d.Id));
        Assert.All(set.Dashboards, d => Assert.NotEmpty(d.Sections));
        Assert.All(set.Dashboards, d => Assert.StartsWith("sha256:", d.Hash, StringComparison.Ordinal));
    }

    [Fact]
    public void A_valid_definition_compiles_with_its_defaults()
    {
        var definition = Stored.Definition("""
            title: Costs
            stale_after: 15m
            sections:
              spend-total:
                kind: counter
                value: content.usd
            """);
        Assert.Equal(("costs", "Costs", TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(15)), (definition.Id, definition.Title, definition.Refresh, definition.StaleAfter));
        var section = Assert.Single(definition.Sections);
        Assert.Equal(("spend-total", "Spend total", "counter"), (section.Id, section.Title, section.Kind));
    }

    [Fact]
    public void Table_columns_take_paths_and_labelled_paths_mixed()
    {
        var table = (Pulseboard.Projection.Sections.TableSection)Stored.Section("""
            kind: table
            key: source
            columns: [source, { path: content.tokens_per_s, label: "Tokens/s" }, { path: content.memory_mb }]
            """);
        Assert.Equal(["source", "Tokens/s", "memory_mb"], table.Columns.Select(c => c.Label));
        Assert.Equal(["source", "content.tokens_per_s", "content.memory_mb"], table.Columns.Select(c => c.Path.Text));
    }

    [Fact]
    public void Every_problem_with_a_labelled_column_is_reported()
    {
        Assert.Equal(
        [
            "costs.yaml:7 sections.models.columns[0].path: is required: the path of the cell, e.g. { path: content.tokens_per_s, label: \"Tokens/s\" }",
            "costs.yaml:8 sections.models.columns[1].title: unknown field for a column. It takes path, label",
            "costs.yaml:9 sections.models.columns[2].label: is empty: write the column's heading, or leave label out to use the path's last segment",
            """costs.yaml:10 sections.models.columns[3].path: "content..x" has an empty segment; write content.a.b""",
            "costs.yaml:11 sections.models.columns[4]: must be a path (content.model) or a mapping { path: content.model, label: Model }",
            "costs.yaml:12 sections.models.columns[5].label: must be text",
        ], Errors("""
            title: Costs
            sections:
              models:
                kind: table
                key: source
                columns:
                  - { label: Model }
                  - { path: content.model, title: Model }
                  - { path: content.status, label: "  " }
                  - { path: content..x, label: X }
                  - [content.y]
                  - { path: content.z, label: [Z] }
            """));
    }

    [Fact]
    public void Order_is_an_optional_whole_number()
    {
        Assert.Equal(-3, Stored.Definition("title: T\norder: -3\nsections:\n  s: { kind: stat }\n").Order);
        Assert.Null(Stored.Definition("title: T\nsections:\n  s: { kind: stat }\n").Order);
        Assert.Equal(
        [
            """costs.yaml:2 order: "first" is not a whole number; write e.g. order: 10 (smaller comes first in the list of dashboards)""",
            """costs.yaml:2 order: "1.5" is not a whole number; write e.g. order: 10 (smaller comes first in the list of dashboards)""",
            "costs.yaml:2 order: is not a whole number; write e.g. order: 10 (smaller comes first in the list of dashboards)",
        ], new[] { "first", "1.5", "[1]" }.SelectMany(order => Errors($"title: T\norder: {order}\nsections:\n  s: {{ kind: stat }}\n")));
    }
}
