namespace Pulseboard.Server.Demo;

/// <summary>
/// schell-ip: a docket agent follows six filings; an office response sets a deadline, and filing the answer meets it
/// (the deadline leaves the list).
/// </summary>
internal sealed class Filings(DemoWriter w)
{
    private const string Source = "docket-agent";
    private const string NoDeadline = "none pending";

    private static readonly string[] s_responses = ["office action", "search report", "examination report", "notice of allowance"];

    private readonly List<Filing> _filings =
    [
        new("f-101", "Adaptive heat sink (patent)", "USPTO"),
        new("f-102", "PULSEBOARD word mark", "EUIPO"),
        new("f-103", "Event stream compaction (patent)", "EPO"),
        new("f-104", "Low-latency renderer (patent)", "USPTO"),
        new("f-105", "Pulse logo (trademark)", "USPTO"),
        new("f-106", "Sensor fusion method (patent)", "JPO"),
    ];

    /// <summary>An office answers a filing: a new stage and a deadline to respond by (high priority when it is near).</summary>
    public void OfficeResponse()
    {
        var filing = w.Pick(_filings);
        filing.Stage = w.Pick(s_responses);
        var days = w.Between(14, 90);
        filing.Deadline = w.Today.AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Write(filing, "office_response");
        w.Add("schell-ip", "deadlines", "deadline_set",
            $$"""{"id":"{{filing.Id}}","title":"{{filing.Title}}","deadline":"{{filing.Deadline}}","message":"{{filing.Title}}: answer the {{filing.Stage}} by {{filing.Deadline}}"}""",
            Source, days <= 30 ? Priority.High : Priority.Normal);
    }

    /// <summary>The answer to an open deadline is filed; with one open at most, an office responds instead (the list never empties).</summary>
    public void MeetDeadline()
    {
        var pending = _filings.Where(f => f.Deadline != NoDeadline).ToList();
        if (pending.Count <= 1)
        {
            OfficeResponse();
            return;
        }
        var filing = w.Pick(pending);
        w.Add("schell-ip", "deadlines", "deadline_met", $$"""{"id":"{{filing.Id}}","title":"{{filing.Title}}","deadline":"{{filing.Deadline}}"}""", Source);
        filing.Stage = "response filed";
        filing.Deadline = NoDeadline;
        Write(filing, "response_filed");
    }

    /// <summary>The six filings made over the first days of the two weeks, then the offices' answers and the responses.</summary>
    public void History(DateTimeOffset now)
    {
        var at = now.AddDays(-14);
        foreach (var filing in _filings)
        {
            w.Now = at = at.AddHours(w.Between(6, 30));
            Write(filing, "filed");
        }
        for (at = at.AddDays(1); at < now.AddHours(-1); at = at.AddHours(12))
        {
            w.Now = at;
            if (w.Chance(0.3))
            {
                OfficeResponse();
            }
            else if (w.Chance(0.15))
            {
                MeetDeadline();
            }
        }
    }

    private void Write(Filing f, string action) =>
        w.Add("schell-ip", "filings", action,
            $$"""{"id":"{{f.Id}}","title":"{{f.Title}}","office":"{{f.Office}}","stage":"{{f.Stage}}","deadline":"{{f.Deadline}}"}""", Source);

    private sealed class Filing(string id, string title, string office)
    {
        public string Id { get; } = id;
        public string Title { get; } = title;
        public string Office { get; } = office;
        public string Stage { get; set; } = "filed";
        public string Deadline { get; set; } = NoDeadline;
    }
}
