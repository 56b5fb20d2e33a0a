using System.Text.Json;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Alerts;

/// <summary>
/// A real Alertmanager (Debian's prometheus-alertmanager) on loopback takes Pulseboard's notices at /api/v2/alerts and
/// routes them to a webhook receiver on 127.0.0.1: firing, then resolved.
/// </summary>
public sealed class AlertmanagerTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Alertmanager_routes_a_firing_notice_and_its_resolve_to_a_webhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var alertmanager = await AlertmanagerProcess.StartAsync($"{receiver.Url}/from-alertmanager");
        try
        {
            // Real time: Alertmanager judges startsAt and endsAt against its own clock.
            await using var rig = await DeliveryRig.StartAsync(_data.Path, $"""
                am:
                  kind: alertmanager
                  url: {alertmanager.Url}
                  allow_private: true
                """, TimeProvider.System);
            var started = DateTimeOffset.UtcNow.AddMinutes(-1);
            var firing = new AlertNotice("ep-am", "firing", "model-down", "fleet", "nodes", new Dictionary<string, string> { ["source"] = "llama-3" },
                "llama-3 on fleet/nodes is down (last seen 12:03:04Z)", started, null, "http://127.0.0.1:5080/d/fleet", ["am"]);
            rig.Outbox.Enqueue(firing);
            var first = await receiver.WaitForAsync(r => r.Count >= 1);
            var message = JsonDocument.Parse(first[0].Body).RootElement;
            Assert.Equal("/from-alertmanager", first[0].Path);
            Assert.Equal("firing", message.GetProperty("status").GetString());
            var alert = Assert.Single(message.GetProperty("alerts").EnumerateArray());
            Assert.Equal("model-down", alert.GetProperty("labels").GetProperty("alertname").GetString());
            Assert.Equal("fleet", alert.GetProperty("labels").GetProperty("dashboard").GetString());
            Assert.Equal("nodes", alert.GetProperty("labels").GetProperty("section").GetString());
            Assert.Equal("llama-3", alert.GetProperty("labels").GetProperty("source").GetString());
            Assert.Equal(firing.Summary, alert.GetProperty("annotations").GetProperty("summary").GetString());
            Assert.Equal("ep-am", alert.GetProperty("annotations").GetProperty("pulseboard_id").GetString());
            Assert.Equal("http://127.0.0.1:5080/d/fleet", alert.GetProperty("generatorURL").GetString());

            rig.Outbox.Enqueue(firing with { Status = "resolved", EndsAt = DateTimeOffset.UtcNow });
            static bool Resolved(WebhookReceiver.Received r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("status").GetString() == "resolved";
            var all = await receiver.WaitForAsync(r => r.Any(Resolved));
            var resolved = JsonDocument.Parse(all.First(Resolved).Body).RootElement;
            Assert.Equal("model-down", resolved.GetProperty("alerts")[0].GetProperty("labels").GetProperty("alertname").GetString());
            Assert.Equal(2, rig.Counters.Get("am", DeliveryCounters.Delivered));
        }
        finally
        {
            await alertmanager.DisposeAsync();
            foreach (var line in alertmanager.Log)
            {
                output.WriteLine(line);
            }
        }
    }
}
