using System.Text.Json;
using Pulseboard.Server.Alerts;

namespace Pulseboard.Tests.Alerts;

/// <summary>A lease the test moves: who notifies, and when this node takes over.</summary>
internal sealed class ScriptedLease(TimeSpan lookback) : INotifyingLease
{
    public string Node => "node-a";

    public volatile bool Held;

    public string? Holder { get; set; } = "node-b";

    public long Term { get; set; }

    public LeaseState State => new(Held, Held ? Node : Holder, Term);

    public TimeSpan Lookback => lookback;

    public void TakeOver()
    {
        Term++;
        Held = true;
    }
}

/// <summary>
/// The engine on a node that does not hold the alert lease, then takes it over: it evaluates all along, enqueues
/// nothing while another node notifies, and sends again what it saw within the lookback, with the same ids. Fake clock.
/// </summary>
public sealed class AlertTakeoverTests
{
    private const string Fleet = """
        title: Fleet
        sections:
          nodes:
            kind: heartbeat
            every: 10s
        alerts:
          model-down:
            when: { section: nodes, status: down }
            notify: [team]
        """;

    [Fact]
    public async Task A_node_without_the_lease_enqueues_nothing_and_on_takeover_sends_what_it_kept_with_the_same_id()
    {
        var lease = new ScriptedLease(TimeSpan.FromSeconds(20));
        await using var h = await AlertHarness.StartAsync(Fleet, lease);
        await h.PostAsync("nodes", "beat", "{}", source: "llama-3", at: AlertHarness.T0);
        await h.TickAsync(42); // down after 3 x 10 + 10 = 40 s of silence

        Assert.Empty(h.Outbox.Notices); // node-b notifies
        var listed = JsonDocument.Parse(await h.Server.Http.GetStringAsync("/api/alerts")).RootElement;
        var alert = Assert.Single(listed.EnumerateArray());
        Assert.Equal("node-b", alert.GetProperty("notifiedBy").GetString());
        // The episode starts when the cache says the source went down, not when this node evaluated: every node gives it the same id.
        Assert.Equal(AlertHarness.T0.AddSeconds(40), alert.GetProperty("since").GetDateTimeOffset());

        lease.TakeOver();
        await h.TickAsync();
        var fired = Assert.Single(h.Outbox.Notices);
        Assert.Equal(("firing", alert.GetProperty("id").GetString()), (fired.Status, fired.Id));
        Assert.Equal(AlertHarness.T0.AddSeconds(40), fired.StartsAt);

        await h.PostAsync("nodes", "beat", "{}", source: "llama-3");
        await h.TickAsync(2);
        Assert.Equal(["firing", "resolved"], h.Outbox.Notices.Select(n => n.Status));
        Assert.Equal(fired.Id, h.Outbox.Notices[1].Id);
        var metrics = await h.Server.Http.GetStringAsync("/metrics");
        Assert.Contains("\npulseboard_alert_lease_held 1\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_was_seen_before_the_lookback_is_not_sent_again_but_the_resolve_is_sent_by_the_new_holder()
    {
        var lease = new ScriptedLease(TimeSpan.FromSeconds(5));
        await using var h = await AlertHarness.StartAsync(Fleet, lease);
        await h.PostAsync("nodes", "beat", "{}", source: "llama-3", at: AlertHarness.T0);
        await h.TickAsync(50); // fired at about 41 s: more than 5 s ago
        var metrics = await h.Server.Http.GetStringAsync("/metrics");
        Assert.Contains("\npulseboard_alert_lease_held 0\n", metrics, StringComparison.Ordinal);

        lease.TakeOver();
        await h.TickAsync();
        Assert.Empty(h.Outbox.Notices); // node-b sent the firing long enough ago

        await h.PostAsync("nodes", "beat", "{}", source: "llama-3");
        await h.TickAsync(2);
        var resolved = Assert.Single(h.Outbox.Notices);
        Assert.Equal("resolved", resolved.Status);
    }

    [Fact]
    public async Task While_nobody_holds_the_lease_notices_are_kept_past_the_lookback_and_the_first_node_to_take_it_sends_them()
    {
        var lease = new ScriptedLease(TimeSpan.FromSeconds(5)) { Holder = null }; // the bucket unreachable for every node
        await using var h = await AlertHarness.StartAsync(Fleet, lease);
        await h.PostAsync("nodes", "beat", "{}", source: "llama-3", at: AlertHarness.T0);
        await h.TickAsync(50); // fired at about 41 s, nobody to send it; kept long past the 5 s lookback

        lease.TakeOver(); // the quorum is back and this node takes the lease first
        await h.TickAsync();
        var fired = Assert.Single(h.Outbox.Notices);
        Assert.Equal("firing", fired.Status);
    }

    [Fact]
    public async Task Notices_kept_while_nobody_held_the_lease_age_out_a_lookback_after_a_holder_is_seen_again()
    {
        var lease = new ScriptedLease(TimeSpan.FromSeconds(5)) { Holder = null };
        await using var h = await AlertHarness.StartAsync(Fleet, lease);
        await h.PostAsync("nodes", "beat", "{}", source: "llama-3", at: AlertHarness.T0);
        await h.TickAsync(50);

        lease.Holder = "node-b"; // node-b took the lease: it sends what it kept
        await h.TickAsync(2);
        lease.TakeOver();
        await h.TickAsync();
        Assert.Single(h.Outbox.Notices); // within a lookback of node-b appearing: node-b may have died before sending it

        lease.Held = false;
        lease.Holder = "node-b";
        await h.PostAsync("nodes", "beat", "{}", source: "llama-3");
        await h.TickAsync(10);
        lease.TakeOver();
        await h.TickAsync();
        Assert.Single(h.Outbox.Notices); // the resolve, seen 10 s ago with node-b holding: node-b sent it
    }

    [Fact]
    public async Task A_lease_lost_stops_notices_at_once()
    {
        var lease = new ScriptedLease(TimeSpan.FromSeconds(5));
        lease.TakeOver();
        await using var h = await AlertHarness.StartAsync(Fleet, lease);
        await h.PostAsync("nodes", "beat", "{}", source: "llama-3", at: AlertHarness.T0);
        lease.Held = false; // a renew failed
        await h.TickAsync(42);
        Assert.Empty(h.Outbox.Notices);
    }
}
