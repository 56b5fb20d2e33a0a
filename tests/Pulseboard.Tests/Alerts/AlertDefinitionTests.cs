using System.Text;
using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Tests.Alerts;

/// <summary><c>alerts:</c> in a definition: read into plans, and every problem named with file, line, field and the fix.</summary>
public sealed class AlertDefinitionTests
{
    private const string Sections = """
        title: Fleet
        sections:
          nodes:
            kind: heartbeat
            every: 10s
          spend:
            kind: stat
            value: content.usd
          notes:
            kind: feed
            title: Notes

        """;

    private static (DashboardDefinition? Definition, List<string> Errors) Parse(string alerts)
    {
        var errors = new List<DefinitionError>();
        var definition = DefinitionLoader.Parse("fleet.yaml", "fleet.yaml", Encoding.UTF8.GetBytes(Sections + alerts), errors);
        return (definition, errors.Select(e => e.ToString()).ToList());
    }

    [Fact]
    public void The_three_kinds_of_when_are_read_with_notify_for_and_repeat()
    {
        var (definition, errors) = Parse("""
            alerts:
              model-down:
                when: { section: nodes, status: down }
                notify: [team]
                for: 0s
                repeat: 4h
              over-budget:
                when: { section: spend, above: 500 }
                notify: [team, pager]
                for: 30s
              critical:
                when: { event: { priority: critical } }
                notify: team
            """);
        Assert.Empty(errors);
        var alerts = definition!.Alerts;
        Assert.Equal(["model-down", "over-budget", "critical"], alerts.Select(a => a.Name));
        var down = Assert.IsType<StatusWhen>(alerts[0].When);
        Assert.Equal(("nodes", HeartbeatStatus.Down), (down.Section.Id, down.Status));
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromHours(4)), (alerts[0].For, alerts[0].Repeat!.Value));
        var over = Assert.IsType<ValueWhen>(alerts[1].When);
        Assert.Equal(("spend", 500.0, (double?)null), (over.Section.Id, over.Above!.Value, over.Below));
        Assert.Equal(["team", "pager"], alerts[1].Notify);
        Assert.Equal(TimeSpan.FromSeconds(30), alerts[1].For);
        var critical = Assert.IsType<EventWhen>(alerts[2].When);
        Assert.Equal("events to fleet with priority critical or above", critical.Matcher.ToWords());
        Assert.Equal(["team"], alerts[2].Notify);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_its_line_field_and_fix()
    {
        var (definition, errors) = Parse("""
            alerts:
              gone:
                when: { section: nodez, status: down }
                notify: [team]
              wrong-kind:
                when: { section: spend, status: down }
                notify: [team]
              no-number:
                when: { section: notes, above: 3 }
                notify: [team]
              bad-times:
                when: { section: nodes, status: late }
                notify: [team]
                for: soon
                repeat: 0s
              nobody:
                when: { section: spend, below: 1 }
                notify: []
              bad-status:
                when: { section: nodes, status: up }
                notify: [team]
              not-a-number:
                when: { section: spend, above: lots }
            """);
        Assert.Null(definition);
        Assert.Equal(
        [
            "fleet.yaml:14 alerts.gone.when.section: \"nodez\" is not a section of this definition; the sections are nodes, spend, notes",
            "fleet.yaml:17 alerts.wrong-kind.when.status: works on a heartbeat section, and spend is a stat; use above:/below: for its number, or name a heartbeat section",
            "fleet.yaml:20 alerts.no-number.when.above: needs a section with a number (a stat with value:, a counter, a timeseries, a daily), and notes is a feed",
            "fleet.yaml:25 alerts.bad-times.for: \"soon\" is not a duration; write a whole number and a unit: 500ms, 30s, 15m, 1h or 7d",
            "fleet.yaml:26 alerts.bad-times.repeat: \"0s\" is not a duration; write a whole number and a unit: 500ms, 30s, 15m, 1h or 7d",
            "fleet.yaml:29 alerts.nobody.notify: is empty: the names of notifiers to tell, from the server's notifiers.yaml, e.g. notify: [team]",
            "fleet.yaml:31 alerts.bad-status.when.status: \"up\" is not a status to alert on; write down or late (late means late or down)",
            "fleet.yaml:34 alerts.not-a-number.when.above: \"lots\" is not a number; write e.g. above: 500 or above: 0.25",
            "fleet.yaml:34 alerts.not-a-number.notify: is required: the names of notifiers to tell, from the server's notifiers.yaml, e.g. notify: [team]",
        ], errors);
    }

    [Fact]
    public void Unknown_fields_and_mixed_conditions_say_what_to_write()
    {
        var (_, errors) = Parse("""
            alerts:
              typo:
                when: { section: nodes, status: down }
                notfy: [team]
                notify: [team]
              both:
                when: { section: nodes, status: down, event: { priority: high } }
                notify: [team]
              Bad_Name:
                when: { event: { priority: high } }
                notify: [team]
              event-repeat:
                when: { event: { priority: high } }
                notify: [team]
                repeat: 1h
            """);
        Assert.Equal(
        [
            "fleet.yaml:15 alerts.typo.notfy: unknown field for an alert; did you mean notify? It takes when, notify, for, repeat",
            "fleet.yaml:18 alerts.both.when: takes either event: (a matcher) or section: with status:, above: or below:, not both; split it into two alerts",
            "fleet.yaml:20 alerts: an alert's name must be a slug (^[a-z0-9][a-z0-9-]{0,62}$), like model-down",
            "fleet.yaml:24 alerts.event-repeat: an event alert notifies once per event: for: and repeat: do not apply to it; remove them",
        ], errors);
    }

    [Fact]
    public void A_section_with_problems_of_its_own_is_not_also_unknown_to_its_alert()
    {
        var errors = new List<DefinitionError>();
        DefinitionLoader.Parse("fleet.yaml", "fleet.yaml", Encoding.UTF8.GetBytes("""
            sections:
              nodes:
                kind: heartbeat
            alerts:
              down:
                when: { section: nodes, status: down }
                notify: [team]
            """), errors);
        Assert.Equal(["fleet.yaml:3 sections.nodes.every: is required: the interval each source promises, e.g. 60s"], errors.Select(e => e.ToString()));
    }
}
