using System.Globalization;
using Microsoft.Extensions.Hosting;
using Pulseboard.Log;

namespace Pulseboard.Server.Demo;

/// <summary>
/// <c>serve --demo</c>: simulated agents inside the server, a few events a second. An orchestrator finds leads and
/// inquiries, opens and completes tasks, records spend and raises budget alerts; three local models send heartbeats
/// with tokens/s, latency and memory, and one of them goes quiet after a while so late and down show.
/// </summary>
internal sealed class DemoAgents(IEventLog log, TimeProvider time) : BackgroundService
{
    private static readonly string[] s_companies = ["Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises"];
    private static readonly string[] s_models = ["llama-3-8b", "qwen2-7b", "mistral-7b"];
    private readonly Random _random = new(2026);
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private int _tick;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await log.AppendAsync(History(), stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await log.AppendAsync(Tick(), stoppingToken).ConfigureAwait(false);
            }
            catch (LogWriteException)
            {
                // The disk refused: the demo waits for the next tick like any agent would.
            }
        }
    }

    /// <summary>Two weeks of past events, so charts and daily counts have something to show at once.</summary>
    private List<Event> History()
    {
        var events = new List<Event>();
        var now = time.GetUtcNow();
        for (var hours = 14 * 24; hours > 0; hours -= 3)
        {
            var at = now.AddHours(-hours);
            events.Add(Make("costs", "spend", "spend", $$"""{"usd":{{Money(1, 9)}},"model":"{{Pick(["claude-haiku", "gpt-4o-mini", "llama-3-8b"])}}","tokens":{{_random.Next(2_000, 40_000)}}}""", at: at));
            if (hours % 9 == 0)
            {
                events.Add(Make("mindminer", "tasks", "task_completed", $$"""{"id":"h{{hours}}","title":"Follow up {{Pick(s_companies)}}"}""", at: at));
            }
            if (hours % 12 == 0)
            {
                events.Add(Make("nova-launch", "signups", "signup", $$"""{"count":{{_random.Next(1, 9)}}}""", at: at));
                events.Add(Make("nova-launch", "waitlist", "waitlist_size", $$"""{"size":{{1_000 + ((14 * 24) - hours) * 7}}}""", at: at));
                events.Add(Make("kickstarter", "campaign", "campaign_status", $$"""{"pledged":{{((14 * 24) - hours) * 90}},"goal":50000,"percent":{{((14 * 24) - hours) * 90 * 100 / 50000}}}""", at: at));
            }
        }
        return events;
    }

    private List<Event> Tick()
    {
        _tick++;
        var events = new List<Event>();
        var quietAfter = TimeSpan.FromMinutes(2); // mistral stops: late after 90 s of silence, down after 2.5 min
        foreach (var model in s_models)
        {
            if (model == "mistral-7b" && time.GetUtcNow() - _started > quietAfter)
            {
                continue;
            }
            if (_tick % 10 == 0)
            {
                events.Add(Make("fleet", "models", "heartbeat", $$"""{"model":"{{model}}","tokens_per_s":{{Money(20, 60)}},"latency_ms":{{_random.Next(120, 900)}},"memory_mb":{{_random.Next(4_000, 9_000)}},"status":"ok"}""", source: model, priority: Priority.Low));
            }
        }
        switch (_random.Next(12))
        {
            case 0:
                var company = Pick(s_companies);
                events.Add(Make("mindminer", "leads", "new_inquiry", $$"""{"id":"lead-{{_tick}}","from":"{{company}}","message":"Interested in {{Pick(["bulk licensing", "a demo", "pricing", "an integration"])}}"}""", priority: Priority.High));
                break;
            case 1:
                events.Add(Make("mindminer", "leads", "leads_summary", $$"""{"total":{{40 + _tick / 10}},"new":{{_random.Next(0, 6)}}}"""));
                break;
            case 2:
                events.Add(Make("mindminer", "tasks", "task_opened", $$"""{"id":"t-{{_tick % 20}}","title":"Follow up {{Pick(s_companies)}}","owner":"{{Pick(["ana", "raj", "lee"])}}","due":"{{time.GetUtcNow().AddDays(_random.Next(1, 5)):yyyy-MM-dd}}","status":"open"}"""));
                break;
            case 3:
                events.Add(Make("mindminer", "tasks", "task_completed", $$"""{"id":"t-{{_random.Next(20)}}","title":"Follow up {{Pick(s_companies)}}"}"""));
                break;
            case 4:
                var current = _random.Next(700, 1_300);
                events.Add(Make("costs", "alerts", current > 1_000 ? "budget_exceeded" : "budget_warning", $$"""{"category":"{{Pick(["cloud-services", "gpu", "api"])}}","current":{{current}},"limit":1000}""", priority: current > 1_000 ? Priority.Critical : Priority.High));
                break;
            case 5:
            case 6:
                events.Add(Make("costs", "spend", "spend", $$"""{"usd":{{Money(0, 3)}},"model":"{{Pick(["claude-haiku", "gpt-4o-mini", "llama-3-8b"])}}","tokens":{{_random.Next(500, 9_000)}}}"""));
                break;
            case 7:
                events.Add(Make("arbitrage", "opportunities", "opportunity_found", $$"""{"id":"o-{{_tick % 15}}","item":"{{Pick(["RTX 4090", "M2 Ultra", "H100 hour"])}}","buy":{{_random.Next(900, 1_100)}},"buy_venue":"{{Pick(["ebay", "auction-x"])}}","sell":{{_random.Next(1_150, 1_400)}},"sell_venue":"{{Pick(["amazon", "resell-y"])}}","spread_pct":{{Money(3, 25)}}}"""));
                break;
            case 8:
                events.Add(Make("nova-launch", "inquiries", "inquiry_received", $$"""{"from":"{{Pick(s_companies)}}","message":"When does Nova ship to {{Pick(["EU", "Japan", "Brazil"])}}?"}"""));
                break;
            case 9:
                events.Add(Make("kickstarter", "comments", "comment", $$"""{"author":"backer{{_random.Next(900)}}","text":"{{Pick(["Can't wait!", "Any update on shipping?", "Love the new colour"])}}"}"""));
                break;
            case 10:
                events.Add(Make("schell-ip", "filings", "office_response", $$"""{"id":"f-{{_random.Next(6)}}","title":"Patent {{_random.Next(6)}}","office":"{{Pick(["EPO", "USPTO"])}}","stage":"{{Pick(["examination", "response due", "granted"])}}","deadline":"{{time.GetUtcNow().AddDays(_random.Next(5, 60)):yyyy-MM-dd}}"}"""));
                break;
            default:
                events.Add(Make("nova-launch", "signups", "signup", $$"""{"count":{{_random.Next(1, 4)}}}"""));
                break;
        }
        return events;
    }

    private static Event Make(string dashboard, string section, string action, string content, string source = "orchestrator", Priority priority = Priority.Normal, DateTimeOffset? at = null) => new()
    {
        Dashboard = dashboard,
        Section = section,
        Action = action,
        Source = source,
        Priority = priority,
        Timestamp = at,
        Content = Event.ParseContent(content),
    };

    private string Pick(string[] choices) => choices[_random.Next(choices.Length)];

    private string Money(int min, int max) => (min + (_random.NextDouble() * (max - min))).ToString("F2", CultureInfo.InvariantCulture);
}
