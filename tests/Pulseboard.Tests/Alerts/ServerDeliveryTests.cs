using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Server;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>The server as built by AddPulseboard: the outbox is the IAlertOutbox the engine takes, delivery runs, /metrics counts it.</summary>
public sealed class ServerDeliveryTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_notice_enqueued_in_the_server_reaches_the_webhook_signed_and_metrics_count_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var notifiers = Path.Combine(_data.Path, "notifiers.yaml");
        await File.WriteAllTextAsync(notifiers, $"""
            hook:
              kind: webhook
              url: {receiver.Url}/hook
              secret: s3cret
              allow_private: true
            """);
        var options = TestServer.Options(Path.Combine(_data.Path, "data"));
        await using var server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = options.Urls, DataDirectory = options.DataDirectory, DashboardsDirectory = options.DashboardsDirectory,
            NotifiersPath = notifiers, TimeProvider = new FakeTimeProvider(DeliveryRig.Start),
        });
        var outbox = server.App.Services.GetRequiredService<IAlertOutbox>();
        Assert.IsType<AlertOutbox>(outbox);
        outbox.Enqueue(DeliveryRig.Notice("srv-1", "firing", "hook", "missing"));
        var received = (await receiver.WaitForAsync(r => r.Count == 1))[0];
        Assert.Equal("srv-1", JsonDocument.Parse(received.Body).RootElement.GetProperty("id").GetString());
        Assert.StartsWith("sha256=", received.Headers[NoticeBodies.SignatureHeader], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(options.DataDirectory, "alerts", "outbox.jsonl")));

        var counters = server.App.Services.GetRequiredService<DeliveryCounters>();
        await DeliveryRig.UntilAsync(() => counters.Get("missing", DeliveryCounters.GivenUp) == 1 && counters.Get("hook", DeliveryCounters.Delivered) == 1, "both deliveries to be counted");
        var metrics = await server.Http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE pulseboard_alert_deliveries_total counter\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_alert_deliveries_total{notifier=\"hook\",outcome=\"delivered\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_alert_deliveries_total{notifier=\"missing\",outcome=\"given_up\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_alert_outbox_pending 0\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notifiers_file_with_problems_stops_the_server_from_starting_with_every_problem()
    {
        var notifiers = Path.Combine(_data.Path, "notifiers.yaml");
        await File.WriteAllTextAsync(notifiers, "team:\n  kind: pager\n  url: https://example.com\n");
        var options = TestServer.Options(Path.Combine(_data.Path, "data"));
        var error = Assert.Throws<InvalidOperationException>(() => PulseboardServer.Build(new ServerOptions
        {
            Urls = options.Urls, DataDirectory = options.DataDirectory, DashboardsDirectory = options.DashboardsDirectory, NotifiersPath = notifiers,
        }));
        Assert.Contains("notifiers.yaml:2 team.kind: \"pager\" is not one of webhook, slack, ntfy, alertmanager", error.Message, StringComparison.Ordinal);
    }
}
