using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Tests.Projection;

public sealed class GlobAndMatcherTests
{
    [Theory]
    [InlineData("*", "costs", true)]
    [InlineData("*", "", true)]
    [InlineData("?", "a", true)]
    [InlineData("?", "", false)]
    [InlineData("?", "ab", false)]
    [InlineData("costs", "costs", true)]
    [InlineData("costs", "cost", false)]
    [InlineData("costs", "costs2", false)]
    [InlineData("costs", "Costs", false)]
    [InlineData("budget_*", "budget_warning", true)]
    [InlineData("budget_*", "budget_", true)]
    [InlineData("budget_*", "over_budget_warning", false)]
    [InlineData("budget_*", "budget", false)]
    [InlineData("*-launch", "nova-launch", true)]
    [InlineData("*-launch", "-launch", true)]
    [InlineData("*-launch", "nova-launch2", false)]
    [InlineData("*-launch", "launch", false)]
    [InlineData("task_?", "task_1", true)]
    [InlineData("task_?", "task_12", false)]
    [InlineData("a*b*c", "axxbyybzc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxcyyb", false)]
    [InlineData("*a*", "banana", true)]
    [InlineData("*a*", "xyz", false)]
    [InlineData("**", "anything", true)]
    public void Globs_match_star_question_mark_and_literals(string pattern, string value, bool matches)
    {
        var glob = new Glob(pattern);
        Assert.Equal(matches, glob.IsMatch(value));
        Assert.Equal(pattern, glob.Pattern);
    }

    private static SectionPlan Section(DashboardDefinition definition, string id) => definition.Sections.Single(s => s.Id == id);

    [Fact]
    public void A_section_without_from_takes_only_its_own_dashboard_and_section()
    {
        var costs = Stored.Definition("""
            title: Costs
            sections:
              alerts: { kind: feed }
            """);
        var alerts = Section(costs, "alerts");
        Assert.True(alerts.Takes(Stored.Event(1, dashboard: "costs", section: "alerts")));
        Assert.False(alerts.Takes(Stored.Event(2, dashboard: "costs", section: "spend")));
        Assert.False(alerts.Takes(Stored.Event(3, dashboard: "fleet", section: "alerts")));
        Assert.False(alerts.Takes(Stored.Event(4, dashboard: "costs-eu", section: "alerts")));
    }

    [Fact]
    public void A_matcher_dashboard_defaults_to_the_definitions_own_id()
    {
        var costs = Stored.Definition("""
            title: Costs
            sections:
              budget:
                kind: stat
                from:
                  - { section: alerts, action: "budget_*" }
            """);
        var budget = Section(costs, "budget");
        Assert.True(budget.Takes(Stored.Event(1, dashboard: "costs", section: "alerts", action: "budget_warning")));
        Assert.True(budget.Takes(Stored.Event(2, dashboard: "costs", section: "alerts", action: "budget_exceeded")));
        Assert.False(budget.Takes(Stored.Event(3, dashboard: "costs", section: "alerts", action: "resolved")));
        Assert.False(budget.Takes(Stored.Event(4, dashboard: "costs", section: "budget", action: "budget_warning")));
        Assert.False(budget.Takes(Stored.Event(5, dashboard: "other", section: "alerts", action: "budget_warning")));
    }

    [Fact]
    public void Absent_matcher_fields_match_anything()
    {
        var costs = Stored.Definition("""
            title: Costs
            sections:
              everything:
                kind: counter
                from: { }
            """);
        var everything = Section(costs, "everything");
        Assert.True(everything.Takes(Stored.Event(1, section: "a", action: "x", priority: "low")));
        Assert.True(everything.Takes(Stored.Event(2, section: "b", action: "y", source: "haiku")));
        Assert.False(everything.Takes(Stored.Event(3, dashboard: "fleet")));
    }

    [Theory]
    [InlineData("low", false)]
    [InlineData("normal", false)]
    [InlineData(null, false)]
    [InlineData("high", true)]
    [InlineData("critical", true)]
    public void A_matcher_priority_means_at_least(string? priority, bool takes)
    {
        var costs = Stored.Definition("""
            title: Costs
            sections:
              urgent:
                kind: feed
                from: [ { dashboard: "*", priority: high } ]
            """);
        Assert.Equal(takes, Section(costs, "urgent").Takes(Stored.Event(1, dashboard: "fleet", priority: priority)));
    }

    [Fact]
    public void A_source_glob_does_not_match_an_event_without_a_source()
    {
        var costs = Stored.Definition("""
            title: Costs
            sections:
              by-agent:
                kind: feed
                from: [ { section: alerts, source: "*" } ]
              by-haiku:
                kind: feed
                from: [ { section: alerts, source: "haiku*" } ]
            """);
        var byAgent = Section(costs, "by-agent");
        var byHaiku = Section(costs, "by-haiku");
        Assert.False(byAgent.Takes(Stored.Event(1)));
        Assert.True(byAgent.Takes(Stored.Event(2, source: "qwen")));
        Assert.False(byHaiku.Takes(Stored.Event(3)));
        Assert.False(byHaiku.Takes(Stored.Event(4, source: "qwen")));
        Assert.True(byHaiku.Takes(Stored.Event(5, source: "haiku-4")));
    }

    [Fact]
    public void Any_matcher_of_a_section_is_enough()
    {
        var costs = Stored.Definition("""
            title: Costs
            sections:
              alerts:
                kind: feed
                from:
                  - { section: alerts }
                  - { dashboard: "*", priority: critical }
            """);
        var alerts = Section(costs, "alerts");
        Assert.True(alerts.Takes(Stored.Event(1, section: "alerts")));
        Assert.True(alerts.Takes(Stored.Event(2, dashboard: "nova-launch", section: "tasks", priority: "critical")));
        Assert.False(alerts.Takes(Stored.Event(3, dashboard: "nova-launch", section: "alerts", priority: "high")));
    }

    [Fact]
    public void One_event_is_routed_into_several_dashboards()
    {
        var costs = Stored.Definition("""
            title: Costs
            sections:
              budget:
                kind: stat
                from: [ { section: alerts, action: "budget_*" } ]
              alerts:
                kind: feed
              spend:
                kind: counter
                value: content.usd
            """, "costs.yaml");
        var center = Stored.Definition("""
            title: Command center
            sections:
              critical:
                kind: feed
                from: [ { dashboard: "*", priority: critical } ]
              launches:
                kind: feed
                from: [ { dashboard: "*-launch" } ]
              costs:
                kind: feed
                from: [ { dashboard: costs, section: alerts } ]
            """, "command-center.yaml");

        string[] Routes(Pulseboard.Projection.ProjectedEvent e) =>
            [.. new[] { costs, center }.SelectMany(d => d.Sections.Where(s => s.Takes(e)).Select(s => $"{d.Id}.{s.Id}"))];

        Assert.Equal(
            ["costs.budget", "costs.alerts", "command-center.critical", "command-center.costs"],
            Routes(Stored.Event(1, dashboard: "costs", section: "alerts", action: "budget_exceeded", priority: "critical")));
        Assert.Equal(
            ["costs.alerts", "command-center.costs"],
            Routes(Stored.Event(2, dashboard: "costs", section: "alerts", action: "resolved")));
        Assert.Equal(
            ["command-center.critical", "command-center.launches"],
            Routes(Stored.Event(3, dashboard: "nova-launch", section: "tasks", action: "blocked", priority: "critical")));
        Assert.Equal(
            [],
            Routes(Stored.Event(4, dashboard: "mindminer", section: "leads", action: "lead_found")));
    }

    [Fact]
    public void Every_section_says_in_words_which_events_feed_it()
    {
        var costs = Stored.Definition("""
            title: Costs
            sections:
              spend: { kind: counter }
              budget:
                kind: stat
                from: [ { section: alerts, action: "budget_*" } ]
              beats:
                kind: heartbeat
                every: 60s
                from: [ { dashboard: "*", action: heartbeat } ]
              loud:
                kind: feed
                from:
                  - { dashboard: "*", priority: high }
                  - { dashboard: "nova-*", section: "sign?ps", source: "agent-*", priority: critical }
                  - { section: "*" }
                  - { dashboard: fleet }
                  - { dashboard: "*", section: alerts }
            """);
        Assert.Equal("events to costs/spend", Section(costs, "spend").FromText);
        Assert.Equal("events to costs/alerts with action budget_*", Section(costs, "budget").FromText);
        Assert.Equal("events to any dashboard with action heartbeat", Section(costs, "beats").FromText);
        Assert.Equal(
            "events to any dashboard with priority high or above"
            + " or events to nova-*/sign?ps from source agent-* with priority critical or above"
            + " or events to costs/*"
            + " or events to fleet"
            + " or events to any dashboard/alerts",
            Section(costs, "loud").FromText);
    }
}
