namespace Pulseboard.Samples;

/// <summary>
/// Varied events that feed every sample dashboard: spend, alerts, leads, tasks, heartbeats, trades. One file, compiled
/// into both the tests and the benchmarks (neither references the other).
/// </summary>
internal static class SampleTraffic
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static Event Make(int i)
    {
        var at = s_start.AddMinutes(i * 7);
        var (dashboard, section, action, content, priority, source) = (i % 9) switch
        {
            0 => ("costs", "spend", "spend", $$"""{"usd":{{i % 13}}.5,"model":"m{{i % 3}}","tokens":{{i * 10}}}""", Priority.Normal, "orchestrator"),
            1 => ("costs", "alerts", i % 4 == 0 ? "resolved" : "budget_warning", $$"""{"category":"c{{i % 5}}","current":{{i}},"limit":1000}""", Priority.High, "orchestrator"),
            2 => ("mindminer", "leads", i % 5 == 0 ? "lead_closed" : "new_inquiry", $$"""{"id":"lead-{{i % 40}}","from":"Acme {{i}}","message":"<b>bulk</b> licensing {{i}}"}""", Priority.Normal, "scout"),
            3 => ("mindminer", "tasks", i % 3 == 0 ? "task_completed" : "task_overdue", $$"""{"id":"t-{{i % 30}}","title":"Follow up {{i}}","owner":"ana","due":"2026-11-2{{i % 9}}","status":"open"}""", Priority.Normal, "planner"),
            4 => ("fleet", "models", "heartbeat", $$"""{"model":"llama","tokens_per_s":{{20 + i % 30}},"latency_ms":{{100 + i % 400}},"memory_mb":6000,"status":"ok"}""", Priority.Low, $"model-{i % 4}"),
            5 => ("nova-launch", "signups", "signup", $$"""{"count":{{1 + i % 3}}}""", Priority.Normal, "web"),
            6 => ("arbitrage", "opportunities", i % 2 == 0 ? "opportunity_found" : "opportunity_closed", $$"""{"id":"o-{{i % 20}}","item":"gpu","buy":1,"buy_venue":"a","sell":2,"sell_venue":"b","spread_pct":{{i % 17}}}""", Priority.Normal, "scanner"),
            7 => ("kickstarter", "campaign", "campaign_status", $$"""{"pledged":{{i * 3}},"goal":50000,"percent":{{i % 100}}}""", Priority.Normal, "crawler"),
            _ => ("schell-ip", "filings", "office_response", $$"""{"id":"f-{{i % 12}}","title":"Patent {{i % 12}}","office":"EPO","stage":"exam","deadline":"2027-01-01"}""", Priority.Critical, "clerk"),
        };
        return new Event
        {
            Dashboard = dashboard, Section = section, Action = action, Priority = priority, Source = source, Timestamp = at,
            Content = Event.ParseContent(content),
        };
    }

    /// <summary><paramref name="count"/> events, <see cref="Make"/>(<paramref name="first"/>) onwards.</summary>
    public static Event[] Batch(long first, int count)
    {
        var events = new Event[count];
        for (var k = 0; k < count; k++)
        {
            events[k] = Make(checked((int)(first + k)));
        }
        return events;
    }
}
