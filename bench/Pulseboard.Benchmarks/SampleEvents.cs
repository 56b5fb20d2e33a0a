namespace Pulseboard.Benchmarks;

/// <summary>Realistic events of about 300 bytes of JSON: progress reports from a fleet of agents.</summary>
internal static class SampleEvents
{
    private static readonly string[] s_dashboards = ["agent-fleet", "budget", "nova-launch", "mindminer"];
    private static readonly string[] s_actions = ["task_progress", "budget_warning", "step_done", "tool_call"];
    private static readonly string[] s_sources = ["planner-agent", "research-agent", "coder-agent", "reviewer-agent"];
    private static readonly string[] s_statuses = ["running", "waiting", "done", "retrying"];

    /// <summary>The <paramref name="i"/>th event: dashboard, section, action, source and content vary with it; no id, no timestamp.</summary>
    public static Event Create(int i)
    {
        var content = $$"""
            {"task":"t-{{i:D7}}","step":{{i % 12 + 1}},"of":12,"status":"{{s_statuses[i % 4]}}","elapsed_ms":{{i % 9973}},"tokens":{"in":{{4096 + i % 2048}},"out":{{i % 1024}}},"cost_usd":{{i % 500 / 10000.0:F4}},"message":"Summarizing retrieved documents for review"}
            """;
        var e = Event.Create(s_dashboards[i % 4], $"worker-{i % 16}", s_actions[i / 4 % 4], content);
        return new Event
        {
            Dashboard = e.Dashboard,
            Section = e.Section,
            Action = e.Action,
            Content = e.Content,
            Source = s_sources[i / 16 % 4],
            Id = null,
        };
    }

    /// <summary><paramref name="count"/> events, <see cref="Create"/>(0) onwards.</summary>
    public static Event[] CreateMany(int count)
    {
        var events = new Event[count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = Create(i);
        }
        return events;
    }

    /// <summary>The mean size of the events' wire JSON, in bytes.</summary>
    public static double MeanBytes(IReadOnlyList<Event> events)
    {
        long total = 0;
        foreach (var e in events)
        {
            total += EventJson.ToUtf8(e).Length;
        }
        return (double)total / events.Count;
    }
}
