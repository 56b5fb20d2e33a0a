namespace Pulseboard.Server.Demo;

/// <summary>
/// mindminer (and velocity, command-center): the orchestrator finds leads, closes them, and opens, flags and completes
/// the follow-up tasks. Two tasks stay overdue at least, so the overdue list is never empty for long.
/// </summary>
internal sealed class Orchestrator(DemoWriter w)
{
    public static readonly string[] Companies = ["Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises", "Soylent"];

    private const string Source = "orchestrator";
    private const int KeptOverdue = 2;

    private static readonly string[] s_topics = ["enterprise licensing", "a demo", "pricing", "an integration", "a pilot"];
    private static readonly string[] s_outcomes = ["won", "lost", "no reply"];
    private static readonly string[] s_owners = ["ana", "raj", "lee", "mei"];
    private static readonly string[] s_tasks = ["Call back {0}", "Send {0} a quote", "Book a demo with {0}", "Follow up {0}"];

    private readonly List<(string Id, string From)> _leads = [];
    private readonly List<FollowUp> _tasks = [];
    private int _totalLeads = 40;
    private int _nextLead = 100;
    private int _nextTask = 100;

    /// <summary>A new inquiry; one about enterprise licensing is high priority (it reaches command-center).</summary>
    public void Inquiry()
    {
        var from = w.Pick(Companies);
        var topic = w.Pick(s_topics);
        var id = $"lead-{_nextLead++}";
        _leads.Add((id, from));
        _totalLeads++;
        w.Add("mindminer", "leads", "new_inquiry", $$"""{"id":"{{id}}","from":"{{from}}","message":"Interested in {{topic}}"}""",
            Source, topic == s_topics[0] ? Priority.High : Priority.Normal);
    }

    /// <summary>A lead is won or lost (and leaves the inquiries); without one open, a new inquiry comes instead.</summary>
    public void CloseLead()
    {
        if (_leads.Count == 0)
        {
            Inquiry();
            return;
        }
        var (id, from) = w.Pick(_leads);
        _leads.Remove((id, from));
        w.Add("mindminer", "leads", "lead_closed", $$"""{"id":"{{id}}","from":"{{from}}","message":"Closed: {{w.Pick(s_outcomes)}}"}""", Source);
    }

    public void Summary() =>
        w.Add("mindminer", "leads", "leads_summary", $$"""{"total":{{_totalLeads}},"new":{{_leads.Count}}}""", Source);

    public void OpenTask() => Open(w.Today.AddDays(w.Between(1, 4)));

    /// <summary>Completes an open task (it leaves the table and the overdue list, and counts in velocity).</summary>
    public void CompleteTask()
    {
        var overdue = _tasks.Count(IsOverdue);
        var candidates = _tasks.Where(t => !IsOverdue(t) || overdue > KeptOverdue).ToList();
        if (candidates.Count == 0)
        {
            OpenTask();
            return;
        }
        var task = w.Pick(candidates);
        _tasks.Remove(task);
        Write(task, "task_completed", "done");
    }

    /// <summary>Reminds of a task past its due date (it moves to the top of the overdue list).</summary>
    public void FlagOverdue()
    {
        var overdue = _tasks.Where(IsOverdue).ToList();
        if (overdue.Count == 0)
        {
            OpenTask();
            return;
        }
        var task = w.Pick(overdue);
        Write(task, "task_overdue", "overdue", $"{task.Title} was due {task.Due:yyyy-MM-dd}");
    }

    /// <summary>
    /// Two weeks of leads and of tasks completed within a day or so (velocity's daily counts), and two tasks that
    /// slipped past their due date.
    /// </summary>
    public void History(DateTimeOffset now)
    {
        for (var at = now.AddDays(-14); at < now.AddHours(-1); at = at.AddHours(3))
        {
            w.Now = at;
            if (w.Chance(0.3))
            {
                Inquiry();
            }
            if (w.Chance(0.2))
            {
                CloseLead();
            }
            if (w.Chance(0.4))
            {
                var task = Open(w.Today.AddDays(2));
                var done = at.AddHours(w.Between(2, 30));
                if (done < now)
                {
                    w.Now = done;
                    _tasks.Remove(task);
                    Write(task, "task_completed", "done");
                }
            }
        }
        for (var daysAgo = 5; daysAgo > 3; daysAgo--)
        {
            w.Now = now.AddDays(-daysAgo);
            var task = Open(w.Today.AddDays(3));
            var morningAfter = new DateTimeOffset(task.Due.AddDays(1).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
            w.Now = morningAfter < now ? morningAfter : now.AddMinutes(-30); // flagged the morning after it was due
            Write(task, "task_overdue", "overdue", $"{task.Title} was due {task.Due:yyyy-MM-dd}");
        }
        w.Now = now.AddMinutes(-10);
        Summary();
    }

    private FollowUp Open(DateOnly due)
    {
        var task = new FollowUp($"task-{_nextTask++}", string.Format(System.Globalization.CultureInfo.InvariantCulture, w.Pick(s_tasks), w.Pick(Companies)), w.Pick(s_owners), due);
        _tasks.Add(task);
        Write(task, "task_opened", "open");
        return task;
    }

    private bool IsOverdue(FollowUp task) => task.Due < w.Today;

    private void Write(FollowUp t, string action, string status, string? message = null)
    {
        var priority = message is null ? Priority.Normal : Priority.High;
        var reminder = message is null ? "" : $",\"message\":\"{message}\"";
        w.Add("mindminer", "tasks", action,
            $$"""{"id":"{{t.Id}}","title":"{{t.Title}}","owner":"{{t.Owner}}","due":"{{t.Due:yyyy-MM-dd}}","status":"{{status}}"{{reminder}}}""", Source, priority);
    }

    private sealed record FollowUp(string Id, string Title, string Owner, DateOnly Due);
}
