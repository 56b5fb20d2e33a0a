using System.Text.Json;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary><c>pulseboard notify-test</c> and <c>pulseboard check --notifiers</c> as a user runs them: a real process.</summary>
public sealed class NotifierCliTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), .. args]);

    private string Write(string yaml)
    {
        var path = Path.Combine(_data.Path, "notifiers.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public async Task Notify_test_sends_one_test_notice_to_the_loopback_receiver_and_prints_its_answer()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var file = Write($"""
            team:
              kind: webhook
              url: {receiver.Url}/hook
              allow_private: true
            """);
        var run = await RunAsync("notify-test", "--notifiers", file, "team");
        Assert.Equal(0, run.Code);
        Assert.Equal($"team (webhook {receiver.Url}): delivered: 200 OK: ok\n", run.Stdout); // no path: Slack's and ntfy's are secrets
        var body = JsonDocument.Parse(Assert.Single(receiver.Requests).Body).RootElement;
        Assert.Equal("test", body.GetProperty("alert").GetString());
        Assert.Equal("firing", body.GetProperty("status").GetString());
        Assert.StartsWith("test-", body.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notify_test_to_a_loopback_address_without_allow_private_is_refused_and_exits_2()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var file = Write($"""
            team:
              kind: webhook
              url: {receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)}/hook
            """);
        var run = await RunAsync("notify-test", "--notifiers", file, "team");
        Assert.Equal(2, run.Code);
        Assert.Contains("failed: localhost resolves to", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("refused by the SSRF guard", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);

        var unknown = await RunAsync("notify-test", "--notifiers", file, "nobody");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("no notifier named \"nobody\"", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("it has team", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_exits_2_naming_the_notifier_the_guard_refuses_and_every_problem_of_the_file()
    {
        var file = Write("""
            ok-hook:
              kind: webhook
              url: https://8.8.8.8/hook
            inside:
              kind: alertmanager
              url: http://192.168.1.10:9093
            meta:
              kind: webhook
              url: http://169.254.169.254/latest
            mine:
              kind: ntfy
              url: http://127.0.0.1:8080/topic
              allow_private: true
            typo:
              kind: slak
              url: https://hooks.slack.com/x
            """);
        var run = await RunAsync("check", "--notifiers", file);
        Assert.Equal(2, run.Code);
        Assert.Contains("notifiers.yaml:15 typo.kind: \"slak\" is not one of webhook, slack, ntfy, alertmanager", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("pulseboard check: notifier inside: 192.168.1.10 is private (192.168.0.0/16): refused by the SSRF guard", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("pulseboard check: notifier meta: 169.254.169.254 is link-local", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("ok  notifier ok-hook: webhook https://8.8.8.8", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok  notifier mine: ntfy http://127.0.0.1:8080 (allow_private)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 problems in", run.Stderr, StringComparison.Ordinal);

        var good = Write("""
            mine:
              kind: webhook
              url: http://127.0.0.1:8080/hook
              allow_private: true
            """);
        var fine = await RunAsync("check", "--notifiers", good);
        Assert.Equal(0, fine.Code);
        Assert.Contains("1 notifiers, no problems", fine.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_a_notifiers_file_that_does_not_exist_exits_2_naming_it()
    {
        var missing = Path.Combine(_data.Path, "nope.yaml");
        var run = await RunAsync("serve", "--notifiers", missing, "--urls", "http://127.0.0.1:0", "--data", Path.Combine(_data.Path, "data"));
        Assert.Equal(2, run.Code);
        Assert.Equal($"pulseboard serve: --notifiers {missing}: no such file\n", run.Stderr);
    }

    [Fact]
    public async Task An_alert_naming_a_notifier_the_file_lacks_is_a_problem_for_check_and_stops_serve()
    {
        var dashboards = Path.Combine(_data.Path, "dashboards");
        Directory.CreateDirectory(dashboards);
        File.WriteAllText(Path.Combine(dashboards, "ops.yaml"), """
            title: Ops
            sections:
              nodes: { kind: heartbeat, from: { action: heartbeat }, every: 30s }
            alerts:
              node-down:
                when: { section: nodes, status: down }
                notify: [team, pager]
            """);
        var file = Write("""
            team:
              kind: webhook
              url: http://127.0.0.1:8080/hook
              allow_private: true
            """);

        var check = await RunAsync("check", "--dashboards", dashboards, "--notifiers", file);
        Assert.Equal(2, check.Code);
        Assert.Contains($"ops.yaml:7 alerts.node-down.notify: \"pager\" is not a notifier: {file} has team; add it there, or name one of those", check.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\"team\" is not", check.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("check", "--dashboards", dashboards)).Code); // without notifiers there is nothing to check the names against

        var serve = await RunAsync("serve", "--dashboards", dashboards, "--notifiers", file, "--urls", "http://127.0.0.1:0", "--data", Path.Combine(_data.Path, "data"));
        Assert.NotEqual(0, serve.Code);
        Assert.Contains("\"pager\" is not a notifier", serve.Stderr, StringComparison.Ordinal);
    }
}
