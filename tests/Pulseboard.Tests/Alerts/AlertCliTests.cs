using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>The alert commands as a user runs them: <c>check</c>, <c>prometheus-rules</c> (with promtool), <c>silence</c>.</summary>
public sealed class AlertCliTests : IDisposable
{
    private const string Promtool = "/usr/bin/promtool";

    private const string Fleet = """
        title: Fleet
        sections:
          nodes:
            kind: heartbeat
            every: 10s
          spend:
            kind: counter
            title: GPU spend
            value: content.usd
        alerts:
          model-down:
            when: { section: nodes, status: down }
            notify: [team]
          model-late:
            when: { section: nodes, status: late }
            notify: [team]
            for: 1m
            repeat: 4h
          over-budget:
            when: { section: spend, above: 500, below: -1 }
            notify: [team, pager]
            for: 30s
          critical:
            when: { event: { dashboard: "*", priority: critical } }
            notify: [team]
        """;

    private readonly TempDirectory _data = new();
    private readonly TempDirectory _dashboards = new();

    public AlertCliTests() => File.WriteAllText(Path.Combine(_dashboards.Path, "fleet.yaml"), Fleet);

    public void Dispose()
    {
        _data.Dispose();
        _dashboards.Dispose();
    }

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), .. args, "--data", _data.Path, "--dashboards", _dashboards.Path]);

    [Fact]
    public async Task Prometheus_rules_are_the_same_alerts_over_metrics_and_promtool_checks_and_fires_them()
    {
        var rules = Path.Combine(_data.Path, "out", "pulseboard.rules.yml");
        var run = await RunAsync("prometheus-rules", rules);
        Assert.True(run.Code == 0, run.Stdout + run.Stderr);
        Assert.Equal($"wrote 4 alerts of 1 dashboards to {rules}\n", run.Stdout);
        var text = File.ReadAllText(rules);
        Assert.Contains("""
                  - alert: pulseboard_fleet_model_down
                    expr: 'time() - pulseboard_heartbeat_last_seen_timestamp_seconds{dashboard="fleet",section="nodes"} > 40'
                    for: 0s
            """.ReplaceLineEndings("\n"), text, StringComparison.Ordinal);
        Assert.Contains("""expr: 'time() - pulseboard_heartbeat_last_seen_timestamp_seconds{dashboard="fleet",section="nodes"} > 20'""", text, StringComparison.Ordinal);
        Assert.Contains("""expr: '(pulseboard_section_value{dashboard="fleet",section="spend"} > 500) or (pulseboard_section_value{dashboard="fleet",section="spend"} < -1)'""", text, StringComparison.Ordinal);
        Assert.Contains("      # critical: an event alert (events to any dashboard with priority critical or above) has no Prometheus equivalent", text, StringComparison.Ordinal);

        Assert.True(File.Exists(Promtool), "promtool is missing: install Debian's prometheus package (./test.sh does).");
        var check = await Processes.RunAsync(Promtool, ["check", "rules", rules]);
        Assert.True(check.Code == 0, check.Stdout + check.Stderr);
        Assert.Contains("SUCCESS: 3 rules found", check.Stdout, StringComparison.Ordinal);

        // Promtool's own unit test: a source last seen at 0 is not down at 30 s, and is at 45 s, labelled and summarized.
        var test = Path.Combine(_data.Path, "out", "test.yml");
        File.WriteAllText(test, """
            rule_files: [pulseboard.rules.yml]
            evaluation_interval: 1s
            tests:
              - interval: 1s
                input_series:
                  - series: 'pulseboard_heartbeat_last_seen_timestamp_seconds{dashboard="fleet",section="nodes",source="llama-3"}'
                    values: '0x100'
                  - series: 'pulseboard_section_value{dashboard="fleet",section="spend",kind="counter"}'
                    values: '600x100'
                alert_rule_test:
                  - eval_time: 30s
                    alertname: pulseboard_fleet_model_down
                    exp_alerts: []
                  - eval_time: 45s
                    alertname: pulseboard_fleet_model_down
                    exp_alerts:
                      - exp_labels: { pulseboard_alert: model-down, dashboard: fleet, section: nodes, source: llama-3, notify: team }
                        exp_annotations: { summary: "llama-3 on fleet/nodes is down (silent 45s)" }
                  - eval_time: 45s
                    alertname: pulseboard_fleet_over_budget
                    exp_alerts:
                      - exp_labels: { pulseboard_alert: over-budget, dashboard: fleet, section: spend, kind: counter, notify: "team,pager" }
                        exp_annotations: { summary: "GPU spend on fleet/spend is 600, above 500 or below -1" }
            """);
        var unit = await Processes.RunAsync(Promtool, ["test", "rules", test]);
        Assert.True(unit.Code == 0, unit.Stdout + unit.Stderr);
    }

    [Fact]
    public async Task Check_reports_a_bad_alert_with_file_line_field_and_fix()
    {
        File.WriteAllText(Path.Combine(_dashboards.Path, "fleet.yaml"), Fleet.Replace("section: spend, above: 500, below: -1", "section: nodes, above: 500", StringComparison.Ordinal));
        var check = await RunAsync("check");
        Assert.Equal(2, check.Code);
        Assert.Contains("fleet.yaml:20 alerts.over-budget.when.above: needs a section with a number (a stat with value:, a counter, a timeseries, a daily), and nodes is a heartbeat; use status: down or late",
            check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silence_adds_lists_and_removes_on_the_running_server()
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Urls = "http://127.0.0.1:0", DataDirectory = _data.Path, DashboardsDirectory = _dashboards.Path });
        var add = await RunAsync("silence", "add", "--alert", "model-down", "--label", "source=llama-3", "--for", "2h", "--comment", "swapping the GPU");
        Assert.True(add.Code == 0, add.Stdout + add.Stderr);
        var id = add.Stdout.Split(' ')[0];
        Assert.Matches("^[0-9a-f]{16}$", id);
        Assert.Contains("  alert=model-down source=llama-3  until ", add.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("  # swapping the GPU\n", add.Stdout, StringComparison.Ordinal);

        var list = await RunAsync("silence", "list");
        Assert.Equal((0, add.Stdout), (list.Code, list.Stdout));

        var bad = await RunAsync("silence", "add", "--for", "2h");
        Assert.Equal(2, bad.Code);
        Assert.Contains("400 a silence needs at least one matcher", bad.Stderr, StringComparison.Ordinal);

        var remove = await RunAsync("silence", "remove", id);
        Assert.Equal((0, "removed\n"), (remove.Code, remove.Stdout));
        Assert.Equal("no active silences\n", (await RunAsync("silence", "list")).Stdout);
    }
}
