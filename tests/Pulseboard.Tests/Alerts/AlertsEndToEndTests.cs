using System.Text;
using System.Text.Json;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Alerts;

/// <summary>
/// Alerts end to end in a real <c>pulseboard serve</c> child process: the outbox across a SIGKILL, and a heartbeat going
/// quiet reaching a webhook and a real Alertmanager. Real time (a child process cannot take a fake clock): every wait is
/// on a condition with a generous bound, and nothing asserts how long anything took.
/// </summary>
public sealed class AlertsEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _config = new();

    public void Dispose()
    {
        _data.Dispose();
        _config.Dispose();
    }

    [Fact]
    public async Task A_notice_in_the_outbox_when_the_server_is_killed_is_delivered_after_the_restart_with_the_same_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        for (var i = 0; i < 1_000; i++)
        {
            receiver.Answers.Enqueue(500); // down until the test says otherwise
        }
        var dashboards = Dashboards("ops.yaml", """
            title: Ops
            sections:
              incidents:
                kind: feed
                title: Incidents
                text: "{action}"
            alerts:
              critical:
                when: { event: { priority: critical } }
                notify: [team]
            """);
        var extra = Notifiers($"""
            team:
              kind: webhook
              url: {receiver.Url}/hook
              allow_private: true
            """);

        string id;
        using (var server = await ServerProcess.StartAsync(_data.Path, TestServer.FreePort(), dashboards, extra))
        {
            var seq = await PostAsync(server, """{"dashboard":"ops","section":"incidents","action":"disk_full","priority":"critical","source":"llama-3"}""");
            var attempts = await receiver.WaitForAsync(r => r.Count >= 1, Bound);
            id = IdOf(attempts[0]);
            Assert.Equal($"ops/critical/{seq}", id);
            server.Kill(); // SIGKILL: the notice is in the outbox, undelivered
            await server.WaitForExitAsync(Bound);
            output.WriteLine($"killed after {receiver.Requests.Count} failed attempts of {id}");
        }
        var beforeRestart = receiver.Requests.Count;
        receiver.Answers.Clear(); // the receiver is back: 200 from now on

        using (var server = await ServerProcess.StartAsync(_data.Path, TestServer.FreePort(), dashboards, extra))
        {
            var delivered = await receiver.WaitForAsync(r => r.Count > beforeRestart, Bound);
            Assert.Equal(id, IdOf(delivered[beforeRestart]));

            // A second critical event: its notice comes after anything the restarted engine enqueued before it (one
            // notifier's notices are delivered in order), so by the time it arrives a re-notification of the first
            // event under a new id would have arrived too.
            var second = await PostAsync(server, """{"dashboard":"ops","section":"incidents","action":"oom","priority":"critical","source":"llama-3"}""");
            var all = await receiver.WaitForAsync(r => r.Any(x => IdOf(x) == $"ops/critical/{second}"), Bound);
            var ids = all.Select(IdOf).ToList();
            output.WriteLine($"received, in order: {string.Join(", ", ids)}\n{server.Tail}");
            Assert.Equal([id, $"ops/critical/{second}"], ids.Distinct());
            Assert.All(all.TakeWhile(r => IdOf(r) == id), r => Assert.Equal("firing", JsonDocument.Parse(r.Body).RootElement.GetProperty("status").GetString()));
        }
    }

    [Fact]
    public async Task A_heartbeat_going_quiet_reaches_a_webhook_and_alertmanager_and_resolves_when_it_beats_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var alertmanager = await AlertmanagerProcess.StartAsync($"{receiver.Url}/from-alertmanager");
        try
        {
            // every 1s, grace 1s: late after 2 s of silence, down after 3 × 1 s + 1 s = 4 s (HeartbeatSection.DownAfter).
            var dashboards = Dashboards("fleet.yaml", """
                title: Model fleet
                sections:
                  status:
                    kind: heartbeat
                    title: Heartbeats
                    every: 1s
                    grace: 1s
                    from: [ { dashboard: "*", action: heartbeat } ]
                alerts:
                  model-down:
                    when: { section: status, status: down }
                    notify: [team, am]
                """);
            var extra = Notifiers($"""
                team:
                  kind: webhook
                  url: {receiver.Url}/hook
                  allow_private: true
                am:
                  kind: alertmanager
                  url: {alertmanager.Url}
                  allow_private: true
                """);
            using var server = await ServerProcess.StartAsync(_data.Path, TestServer.FreePort(), dashboards, extra);
            const string Beat = """{"dashboard":"fleet","section":"status","action":"heartbeat","source":"llama-3","content":{"tokens_per_s":41.5}}""";
            await PostAsync(server, Beat);

            var firing = Body(Single(await receiver.WaitForAsync(r => r.Any(x => Is(x, "/hook", "firing")), Bound), "/hook", "firing"));
            output.WriteLine($"webhook, firing: {firing.GetRawText()}");
            Assert.Equal("model-down", firing.GetProperty("alert").GetString());
            Assert.Equal("fleet", firing.GetProperty("dashboard").GetString());
            Assert.Equal("status", firing.GetProperty("section").GetString());
            Assert.Equal("llama-3", firing.GetProperty("labels").GetProperty("source").GetString());
            Assert.StartsWith("llama-3 on fleet/status is down (last seen ", firing.GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, firing.GetProperty("endsAt").ValueKind);
            Assert.Equal($"{server.Url.AbsoluteUri.TrimEnd('/')}/d/fleet", firing.GetProperty("url").GetString());
            var id = firing.GetProperty("id").GetString();

            var routed = Body(Single(await receiver.WaitForAsync(r => r.Any(x => Is(x, "/from-alertmanager", "firing")), Bound), "/from-alertmanager", "firing"));
            output.WriteLine($"alertmanager's webhook, firing: {routed.GetRawText()}");
            var alert = Assert.Single(routed.GetProperty("alerts").EnumerateArray());
            Assert.Equal("model-down", alert.GetProperty("labels").GetProperty("alertname").GetString());
            Assert.Equal("llama-3", alert.GetProperty("labels").GetProperty("source").GetString());
            Assert.Equal(id, alert.GetProperty("annotations").GetProperty("pulseboard_id").GetString());
            using (var http = new HttpClient())
            {
                var listed = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{alertmanager.Url}/api/v2/alerts"))).RootElement;
                output.WriteLine($"alertmanager's /api/v2/alerts: {listed.GetRawText()}");
                Assert.Contains(listed.EnumerateArray(), a => a.GetProperty("labels").GetProperty("alertname").GetString() == "model-down");
            }

            await PostAsync(server, Beat); // it beats again
            var resolved = Body(Single(await receiver.WaitForAsync(r => r.Any(x => Is(x, "/hook", "resolved")), Bound), "/hook", "resolved"));
            output.WriteLine($"webhook, resolved: {resolved.GetRawText()}");
            Assert.Equal(id, resolved.GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.String, resolved.GetProperty("endsAt").ValueKind);
            var routedResolved = Body(Single(await receiver.WaitForAsync(r => r.Any(x => Is(x, "/from-alertmanager", "resolved")), Bound), "/from-alertmanager", "resolved"));
            Assert.Equal("model-down", routedResolved.GetProperty("alerts")[0].GetProperty("labels").GetProperty("alertname").GetString());
            Assert.Single(receiver.Requests, r => Is(r, "/hook", "firing")); // told once, no reminder, no flapping
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

    private string Dashboards(string file, string yaml)
    {
        var folder = Path.Combine(_config.Path, "dashboards");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, file), yaml);
        return folder;
    }

    private string[] Notifiers(string yaml)
    {
        var path = Path.Combine(_config.Path, "notifiers.yaml");
        File.WriteAllText(path, yaml);
        return ["--notifiers", path];
    }

    /// <summary>Posts one event; returns its seq.</summary>
    private static async Task<long> PostAsync(ServerProcess server, string json)
    {
        using var http = new HttpClient { BaseAddress = server.Url };
        using var response = await http.PostAsync("/api/events", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("last").GetInt64();
    }

    private static string IdOf(WebhookReceiver.Received request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetString()!;

    private static JsonElement Body(WebhookReceiver.Received request) => JsonDocument.Parse(request.Body).RootElement;

    private static bool Is(WebhookReceiver.Received request, string path, string status) =>
        request.Path == path && JsonDocument.Parse(request.Body).RootElement.GetProperty("status").GetString() == status;

    private static WebhookReceiver.Received Single(IReadOnlyList<WebhookReceiver.Received> requests, string path, string status) =>
        requests.First(r => Is(r, path, status));
}
