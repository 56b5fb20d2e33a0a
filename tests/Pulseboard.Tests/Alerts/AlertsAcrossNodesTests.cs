using System.Globalization;
using System.Text;
using System.Text.Json;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Alerts;

/// <summary>
/// Two <c>pulseboard serve --log nats://…</c> nodes on one stream, each evaluating the same heartbeat alert: only the
/// node holding the alert lease notifies, and when it is killed the other takes the lease and tells the rest. Real
/// processes and a real nats-server; real time (a child cannot take a fake clock): every wait is on a condition with a
/// generous bound, and nothing asserts how long anything took.
/// </summary>
public sealed class AlertsAcrossNodesTests(NatsServerProcess nats, ITestOutputHelper output) : IClassFixture<NatsServerProcess>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private const string Beat = """{"dashboard":"fleet","section":"status","action":"heartbeat","source":"llama-3"}""";
    private readonly TempDirectory _a = new();
    private readonly TempDirectory _b = new();
    private readonly TempDirectory _config = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _a.Dispose();
        _b.Dispose();
        _config.Dispose();
    }

    [Fact]
    public async Task One_node_notifies_and_when_it_is_killed_the_other_takes_over_and_sends_the_resolve_once()
    {
        await nats.DeleteStreamAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        // every 1s, grace 1s: down after 3 × 1 s + 1 s = 4 s of silence (HeartbeatSection.DownAfter).
        var dashboards = Path.Combine(_config.Path, "dashboards");
        Directory.CreateDirectory(dashboards);
        File.WriteAllText(Path.Combine(dashboards, "fleet.yaml"), """
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
                notify: [team]
            """);
        var notifiers = Path.Combine(_config.Path, "notifiers.yaml");
        File.WriteAllText(notifiers, $"""
            team:
              kind: webhook
              url: {receiver.Url}/hook
              allow_private: true
            """);
        // A TTL short enough for a quick takeover, long enough that a busy machine does not make the lease change hands.
        string[] extra = ["--log", nats.Url, "--alert-lease-ttl", "4s", "--notifiers", notifiers];
        using var a = await ServerProcess.StartAsync(_a.Path, TestServer.FreePort(), dashboards, extra);
        using var b = await ServerProcess.StartAsync(_b.Path, TestServer.FreePort(), dashboards, extra);

        // One of them takes the lease; both say which.
        var holderId = await UntilAsync(async () =>
        {
            var (nodeA, notifierA) = await LeaseOfAsync(a);
            var (_, notifierB) = await LeaseOfAsync(b);
            return notifierA is not null && notifierA == notifierB ? notifierA : null;
        }, "both nodes to name the same notifying node");
        var (idOfA, _) = await LeaseOfAsync(a);
        var (holder, other) = holderId == idOfA ? (a, b) : (b, a);
        Assert.Equal(1, await LeaseHeldAsync(holder));
        Assert.Equal(0, await LeaseHeldAsync(other));
        output.WriteLine($"holder {holderId} at {holder.Url}, the other at {other.Url}");

        await PostAsync(other, Beat); // to either node: both project it from the stream
        var firing = Body((await receiver.WaitForAsync(r => r.Any(x => Is(x, "firing")), Bound)).First(x => Is(x, "firing")));
        var id = firing.GetProperty("id").GetString()!;
        Assert.Equal($"{holder.Url.AbsoluteUri.TrimEnd('/')}/d/fleet", firing.GetProperty("url").GetString()); // sent by the holder

        // The other node saw it fire too (its state is warm), and enqueued nothing: it keeps the notice for a takeover.
        var listed = JsonDocument.Parse(await UntilAsync(async () =>
        {
            var alerts = await _http.GetStringAsync(new Uri(other.Url, "/api/alerts"));
            return JsonDocument.Parse(alerts).RootElement.GetArrayLength() == 1 ? alerts : null;
        }, "the other node to list the alert as firing")).RootElement[0];
        Assert.Equal(id, listed.GetProperty("id").GetString()); // the same episode, the same id: its start comes from the cache
        Assert.Equal(holderId, listed.GetProperty("notifiedBy").GetString());
        var metrics = await _http.GetStringAsync(new Uri(other.Url, "/metrics"));
        Assert.Contains("pulseboard_alert_outbox_pending 0", metrics, StringComparison.Ordinal);
        // Whatever has arrived by now (a retried delivery may arrive twice): one episode, one id, and one sender, the
        // holder; not an exact count at one instant on a loaded machine.
        var firings = receiver.Requests.Where(x => Is(x, "firing")).Select(Body).ToList();
        Assert.All(firings, f => Assert.Equal(id, f.GetProperty("id").GetString()));
        Assert.Equal([$"{holder.Url.AbsoluteUri.TrimEnd('/')}/d/fleet"], firings.Select(f => f.GetProperty("url").GetString()).Distinct());

        holder.Kill(); // SIGKILL: no release; its lease expires with the bucket's max age
        await holder.WaitForExitAsync(Bound);
        await UntilAsync(async () => await LeaseHeldAsync(other) == 1 ? "held" : null, "the other node to take the lease");
        await PostAsync(other, Beat); // it beats again: resolved

        var all = await receiver.WaitForAsync(r => r.Any(x => Is(x, "resolved")), Bound);
        var resolved = Body(all.First(x => Is(x, "resolved")));
        Assert.Equal(id, resolved.GetProperty("id").GetString());
        Assert.Equal($"{other.Url.AbsoluteUri.TrimEnd('/')}/d/fleet", resolved.GetProperty("url").GetString()); // sent by the new holder
        // Wait until the new holder's outbox is empty, so whatever it was to send has arrived, then count.
        await UntilAsync(async () => (await _http.GetStringAsync(new Uri(other.Url, "/metrics"))).Contains("pulseboard_alert_outbox_pending 0", StringComparison.Ordinal) ? "empty" : null,
            "the new holder's outbox to be empty");
        var received = receiver.Requests.Select(Body).ToList();
        output.WriteLine(string.Join('\n', received.Select(r => $"{r.GetProperty("status").GetString()} {r.GetProperty("id").GetString()} from {r.GetProperty("url").GetString()}")));
        Assert.All(received, r => Assert.Equal(id, r.GetProperty("id").GetString())); // a firing sent again at the takeover keeps its id
        Assert.Single(received, r => r.GetProperty("status").GetString() == "resolved");
        Assert.Equal("resolved", received[^1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Serve_with_an_alert_lease_ttl_out_of_range_exits_2_saying_what_to_give()
    {
        var run = await Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), "serve", "--log", nats.Url,
            "--alert-lease-ttl", "500ms", "--urls", "http://127.0.0.1:0", "--data", _a.Path]);
        Assert.Equal(2, run.Code);
        Assert.Equal("pulseboard serve: --alert-lease-ttl \"500ms\": give a duration from 1s to 1h, e.g. 10s (the default)\n", run.Stderr);
    }

    /// <summary>The node that answered and the notifying node, from <c>/api/alerts</c>'s headers.</summary>
    private async Task<(string Node, string? Notifier)> LeaseOfAsync(ServerProcess node)
    {
        using var response = await _http.GetAsync(new Uri(node.Url, "/api/alerts"));
        response.EnsureSuccessStatusCode();
        var notifier = response.Headers.TryGetValues("Pulseboard-Alert-Notifier", out var values) ? values.Single() : null;
        return (response.Headers.GetValues("Pulseboard-Node").Single(), notifier);
    }

    private async Task<int> LeaseHeldAsync(ServerProcess node)
    {
        var metrics = await _http.GetStringAsync(new Uri(node.Url, "/metrics"));
        var line = metrics.Split('\n').Single(l => l.StartsWith("pulseboard_alert_lease_held ", StringComparison.Ordinal));
        return int.Parse(line["pulseboard_alert_lease_held ".Length..], CultureInfo.InvariantCulture);
    }

    private async Task PostAsync(ServerProcess node, string json)
    {
        using var response = await _http.PostAsync(new Uri(node.Url, "/api/events"), new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Asks until <paramref name="probe"/> answers (bounded: a minute).</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        using var bound = new CancellationTokenSource(Bound);
        while (true)
        {
            if (await probe() is { } answer)
            {
                return answer;
            }
            Assert.False(bound.IsCancellationRequested, $"waited {Bound.TotalSeconds} s for {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(50)); // a short pause, not a busy loop beside the children
        }
    }

    private static JsonElement Body(WebhookReceiver.Received request) => JsonDocument.Parse(request.Body).RootElement.Clone();

    private static bool Is(WebhookReceiver.Received request, string status) =>
        request.Path == "/hook" && JsonDocument.Parse(request.Body).RootElement.GetProperty("status").GetString() == status;
}
