using System.Net;
using System.Text;
using System.Text.Json;

namespace Pulseboard.Tests.Alerts;

/// <summary>The engine on a real server and a fake clock: when alerts fire, remind, resolve, and stay quiet.</summary>
public sealed class AlertEngineTests
{
    private const string Fleet = """
        title: Fleet
        sections:
          nodes:
            kind: heartbeat
            every: 10s
          spend:
            kind: stat
            title: GPU spend
            value: content.usd
          log:
            kind: feed
        alerts:
          model-down:
            when: { section: nodes, status: down }
            notify: [team]
          over-budget:
            when: { section: spend, above: 500 }
            notify: [team, pager]
            for: 5s
            repeat: 10s
          critical:
            when: { event: { priority: critical } }
            notify: [team]
        """;

    [Fact]
    public async Task A_source_turning_down_fires_within_two_seconds_and_resolves_when_it_beats_again()
    {
        await using var h = await AlertHarness.StartAsync(Fleet);
        await h.PostAsync("nodes", "beat", "{}", source: "llama-3", at: AlertHarness.T0);
        // every 10s, grace 10s: down once silent longer than 3 x 10 + 10 = 40 s.
        var downAt = AlertHarness.T0.AddSeconds(40);
        DateTimeOffset? firedAt = null;
        while (h.Now < downAt.AddSeconds(5))
        {
            await h.TickAsync();
            if (firedAt is null && h.Outbox.Notices.Count > 0)
            {
                firedAt = h.Now;
            }
        }
        Assert.NotNull(firedAt);
        Assert.InRange(firedAt.Value - downAt, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(2));
        var fired = Assert.Single(h.Outbox.Notices);
        Assert.Equal(("firing", "model-down", "fleet", "nodes"), (fired.Status, fired.Alert, fired.Dashboard, fired.Section));
        Assert.Equal(new Dictionary<string, string> { ["source"] = "llama-3" }, fired.Labels);
        Assert.Equal("llama-3 on fleet/nodes is down (last seen 2026-11-22 12:00:00Z)", fired.Summary);
        Assert.Equal(["team"], fired.Notify);
        Assert.EndsWith("/d/fleet", fired.Url, StringComparison.Ordinal);
        Assert.StartsWith("http://127.0.0.1:", fired.Url, StringComparison.Ordinal);

        await h.PostAsync("nodes", "beat", "{}", source: "llama-3");
        Assert.Single(h.Outbox.Notices); // false once: not yet resolved
        await h.TickAsync();
        Assert.Equal(2, h.Outbox.Notices.Count);
        var resolved = h.Outbox.Notices[1];
        Assert.Equal(("resolved", fired.Id, fired.StartsAt), (resolved.Status, resolved.Id, resolved.StartsAt));
        Assert.NotNull(resolved.EndsAt);
        await h.TickAsync(3);
        Assert.Equal(2, h.Outbox.Notices.Count);
    }

    [Fact]
    public async Task For_delays_firing_and_repeat_reminds_with_the_same_id_while_it_stays_firing()
    {
        await using var h = await AlertHarness.StartAsync(Fleet);
        await h.PostAsync("spend", "spent", """{"usd": 612}""");
        await h.TickAsync(4);
        Assert.Empty(h.Outbox.Notices); // pending for 4 s of its 5
        await h.TickAsync();
        var fired = Assert.Single(h.Outbox.Notices);
        Assert.Equal("GPU spend on fleet/spend is 612, above 500", fired.Summary);
        Assert.Equal(["team", "pager"], fired.Notify);
        await h.TickAsync(9);
        Assert.Single(h.Outbox.Notices);
        await h.TickAsync();
        Assert.Equal(2, h.Outbox.Notices.Count);
        Assert.Equal(("firing", fired.Id), (h.Outbox.Notices[1].Status, h.Outbox.Notices[1].Id));

        await h.PostAsync("spend", "spent", """{"usd": 100}""");
        await h.TickAsync(2);
        Assert.Equal(("resolved", fired.Id), (h.Outbox.Notices[^1].Status, h.Outbox.Notices[^1].Id));

        // A value that crosses and falls back before for: has passed tells no one.
        var before = h.Outbox.Notices.Count;
        await h.PostAsync("spend", "spent", """{"usd": 900}""");
        await h.TickAsync(2);
        await h.PostAsync("spend", "spent", """{"usd": 10}""");
        await h.TickAsync(10);
        Assert.Equal(before, h.Outbox.Notices.Count);
    }

    [Fact]
    public async Task An_event_alert_notifies_once_per_matching_event_across_evaluations_and_a_restart()
    {
        await using var h = await AlertHarness.StartAsync(Fleet);
        var first = await h.PostAsync("log", "oom", """{"msg": "out of memory\n<b>x</b>"}""", source: "llama-3", priority: "critical");
        await h.PostAsync("log", "note", """{"msg": "fine"}""", priority: "high");
        var third = await h.PostAsync("log", "disk_full", "\"disk\"", priority: "critical");
        await h.TickAsync(3);
        Assert.Equal([$"fleet/critical/{first}", $"fleet/critical/{third}"], h.Outbox.Notices.Select(n => n.Id));
        var oom = h.Outbox.Notices[0];
        Assert.Equal("critical oom on fleet/log from llama-3: msg: out of memory <b>x</b>", oom.Summary);
        Assert.Equal(new Dictionary<string, string> { ["action"] = "oom", ["source"] = "llama-3" }, oom.Labels);

        await h.RestartAsync();
        await h.TickAsync(2);
        Assert.Equal(2, h.Outbox.Notices.Count);
        var fourth = await h.PostAsync("log", "panic", "{}", priority: "critical");
        Assert.Equal($"fleet/critical/{fourth}", h.Outbox.Notices[^1].Id);
        Assert.Equal(3, h.Outbox.Notices.Count);
    }

    [Fact]
    public async Task A_restart_keeps_a_firing_alert_firing_without_telling_anyone_again()
    {
        await using var h = await AlertHarness.StartAsync(Fleet);
        await h.PostAsync("nodes", "beat", "{}", source: "llama-3", at: AlertHarness.T0);
        await h.TickAsync(42);
        var fired = Assert.Single(h.Outbox.Notices);

        await h.RestartAsync();
        await h.TickAsync(3);
        Assert.Single(h.Outbox.Notices);
        var listed = JsonDocument.Parse(await h.Server.Http.GetStringAsync("/api/alerts")).RootElement;
        Assert.Equal(fired.Id, listed[0].GetProperty("id").GetString());
        Assert.Equal(fired.StartsAt, listed[0].GetProperty("since").GetDateTimeOffset());

        await h.PostAsync("nodes", "beat", "{}", source: "llama-3");
        await h.TickAsync(2);
        Assert.Equal(("resolved", fired.Id), (h.Outbox.Notices[^1].Status, h.Outbox.Notices[^1].Id));
    }

    [Fact]
    public async Task With_a_public_url_notices_link_there_whichever_address_the_node_listens_on()
    {
        await using var h = await AlertHarness.StartAsync(Fleet, publicUrl: "https://pulse.example.com/");
        await h.PostAsync("nodes", "beat", "{}", source: "llama-3", at: AlertHarness.T0);
        await h.TickAsync(42);
        Assert.Equal("https://pulse.example.com/d/fleet", Assert.Single(h.Outbox.Notices).Url);
        var alert = JsonDocument.Parse(await h.Server.Http.GetStringAsync("/api/alerts")).RootElement[0];
        Assert.Equal("/d/fleet", alert.GetProperty("url").GetString()); // the page's own link stays on the node it reads
    }

    [Theory]
    [InlineData("pulse.example.com")]
    [InlineData("ftp://pulse.example.com")]
    [InlineData("https://user:pw@pulse.example.com")]
    public void A_public_url_that_is_not_an_http_address_is_refused_with_an_example(string url)
    {
        using var data = new Pulseboard.Tests.Support.TempDirectory();
        var error = Assert.Throws<ArgumentException>(() => { Pulseboard.Server.PulseboardServer.Build(new Pulseboard.Server.ServerOptions { Urls = "http://127.0.0.1:0", DataDirectory = data.Path, PublicUrl = url }); });
        Assert.Contains("e.g. https://pulse.example.com (the CLI's --public-url)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_alerts_lists_firing_alerts_with_since_labels_and_summary_and_metrics_count_them()
    {
        await using var h = await AlertHarness.StartAsync(Fleet);
        Assert.Equal("[]", await h.Server.Http.GetStringAsync("/api/alerts"));
        await h.PostAsync("nodes", "beat", "{}", source: "llama-3", at: AlertHarness.T0);
        await h.PostAsync("nodes", "beat", "{}", source: "qwen", at: AlertHarness.T0.AddSeconds(30));
        await h.TickAsync(42);
        var alerts = JsonDocument.Parse(await h.Server.Http.GetStringAsync("/api/alerts?dashboard=fleet")).RootElement;
        var alert = Assert.Single(alerts.EnumerateArray());
        Assert.Equal("model-down", alert.GetProperty("alert").GetString());
        Assert.Equal("fleet", alert.GetProperty("dashboard").GetString());
        Assert.Equal("nodes", alert.GetProperty("section").GetString());
        Assert.Equal("llama-3", alert.GetProperty("labels").GetProperty("source").GetString());
        Assert.Equal("llama-3 on fleet/nodes is down (last seen 2026-11-22 12:00:00Z)", alert.GetProperty("summary").GetString());
        Assert.False(alert.GetProperty("silenced").GetBoolean());
        Assert.Equal("/d/fleet", alert.GetProperty("url").GetString());
        Assert.Equal(h.Outbox.Notices[0].StartsAt, alert.GetProperty("since").GetDateTimeOffset());
        Assert.Equal("[]", await h.Server.Http.GetStringAsync("/api/alerts?dashboard=costs"));

        var metrics = await h.Server.Http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE pulseboard_alert_firing gauge\n", metrics, StringComparison.Ordinal);
        Assert.Contains("pulseboard_alert_firing{alert=\"model-down\",dashboard=\"fleet\",section=\"nodes\",source=\"llama-3\",silenced=\"false\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("source=\"qwen\"", metrics.Split('\n').Where(l => l.StartsWith("pulseboard_alert_firing{", StringComparison.Ordinal)).FirstOrDefault(l => l.Contains("qwen", StringComparison.Ordinal)) ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silence_keeps_an_alert_shown_and_marked_but_untold_until_it_is_removed()
    {
        await using var h = await AlertHarness.StartAsync(Fleet);
        using var created = await h.Server.Http.PostAsync("/api/silences", Json("""{"alert": "model-*", "labels": {"source": "llama-3"}, "duration": "2h", "comment": "maintenance"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var silence = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = silence.GetProperty("id").GetString()!;
        Assert.Equal($"/api/silences/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal(AlertHarness.T0.AddHours(2), silence.GetProperty("endsAt").GetDateTimeOffset().Subtract(h.Now - AlertHarness.T0));

        await h.PostAsync("nodes", "beat", "{}", source: "llama-3", at: AlertHarness.T0);
        await h.TickAsync(42);
        Assert.Empty(h.Outbox.Notices);
        var alert = JsonDocument.Parse(await h.Server.Http.GetStringAsync("/api/alerts")).RootElement[0];
        Assert.True(alert.GetProperty("silenced").GetBoolean());
        Assert.Equal([id], alert.GetProperty("silencedBy").EnumerateArray().Select(s => s.GetString()));
        var listed = JsonDocument.Parse(await h.Server.Http.GetStringAsync("/api/silences")).RootElement;
        Assert.Equal(id, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetString());

        await h.RestartAsync(); // silences are kept on disk
        await h.TickAsync();
        Assert.Empty(h.Outbox.Notices);

        using var removed = await h.Server.Http.DeleteAsync($"/api/silences/{id}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await h.TickAsync();
        Assert.Equal("firing", Assert.Single(h.Outbox.Notices).Status);
        using var again = await h.Server.Http.DeleteAsync($"/api/silences/{id}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Theory]
    [InlineData("""{"duration": "2h"}""", "", "a silence needs at least one matcher")]
    [InlineData("""{"alert": "model-down"}""", "endsAt", "give exactly one of endsAt")]
    [InlineData("""{"alert": "model-down", "duration": "soon"}""", "duration", "duration: must be a whole number and a unit")]
    [InlineData("""{"alert": "model-down", "endsAt": "2020-01-01T00:00:00Z"}""", "endsAt", "has passed")]
    [InlineData("""{"alert": "model-down", "endsAt": "tomorrow"}""", "endsAt", "RFC 3339")]
    [InlineData("""{"alert": "model down!", "duration": "1h"}""", "alert", "alert: must be the alert's name or a glob")]
    [InlineData("""{"alert": "x", "labels": {"source": 3}, "duration": "1h"}""", "labels.source", "must be a text")]
    [InlineData("""{"alert": "x", "duration": "1h", "until": "x"}""", "until", "is not a field of a silence")]
    [InlineData("""[1]""", "", "must be a JSON object")]
    [InlineData("""{"alert": """, "", "is not JSON")]
    public async Task A_bad_silence_is_a_400_naming_the_field(string body, string field, string message)
    {
        await using var h = await AlertHarness.StartAsync(Fleet);
        using var response = await h.Server.Http.PostAsync("/api/silences", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(message, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
