using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Server.Alerts;

internal sealed partial class AlertEngine
{
    private const int MaxEventsPerEvaluation = 50_000;

    /// <summary>
    /// Event alerts: reads the log from the seq after the last one matched (kept in the alert state), and notifies once
    /// for each event a <c>when: {event: …}</c> matcher takes; true when a notice was enqueued (then the state is saved
    /// at once; a cursor that only moved past unmatched events is saved with the next save, at most a second later).
    /// </summary>
    /// <remarks>
    /// Read from the log after a cursor of our own rather than from inside the projector's cycle: the projector skips,
    /// per cache, what a cache already holds and reads nothing for a dashboard it rebuilds, so "each event once" would
    /// depend on its caches; the log's seq says it directly, survives a restart in <c>state.json</c>, and the notice's
    /// id is built from it. An event is matched once: the cursor moves past it only after its notice was enqueued. A read
    /// that fails (an <see cref="IOException"/>) ends this evaluation's matching; the next one goes on from the cursor.
    /// </remarks>
    private bool MatchEvents(IReadOnlyList<DashboardDefinition> definitions)
    {
        var end = _log.End;
        if (_nextEventSeq > end)
        {
            return false;
        }
        var watching = definitions.SelectMany(d => d.Alerts).Where(a => a.When is EventWhen).ToList();
        if (watching.Count == 0)
        {
            // Nothing to match: the cursor just follows the log (saved at most once a second), so an event alert added later starts from now.
            _nextEventSeq = end + 1;
            return false;
        }
        var silences = _silences.Active;
        var now = _time.GetUtcNow();
        var told = false;
        var records = new List<LogRecord>(256);
        using var cursor = _log.OpenCursor(_nextEventSeq);
        var read = 0;
        while (cursor.Next <= end && read < MaxEventsPerEvaluation)
        {
            records.Clear();
            int got;
            try
            {
                got = cursor.Read(records, (int)Math.Min(256, end - cursor.Next + 1));
            }
            catch (IOException ex)
            {
                // The log did not answer (a NATS server down, an election): logged once per outage; what was matched
                // stays matched, and the next evaluation reads on from the cursor.
                if (!_eventsUnreadable)
                {
                    _eventsUnreadable = true;
                    _logger.EventsUnreadable(ex);
                }
                return told;
            }
            if (_eventsUnreadable)
            {
                _eventsUnreadable = false;
                _logger.EventsReadable();
            }
            if (got == 0)
            {
                break;
            }
            foreach (var record in records)
            {
                var e = ProjectedEvent.Read(record);
                foreach (var alert in watching)
                {
                    if (((EventWhen)alert.When).Matcher.IsMatch(e))
                    {
                        if (!Tell(alert, e, silences, now))
                        {
                            return told; // the outbox refused: this event is matched again at the next evaluation
                        }
                        told = true;
                    }
                }
                _nextEventSeq = e.Seq + 1;
                read++;
            }
        }
        _nextEventSeq = Math.Max(_nextEventSeq, cursor.Next); // past positions retention purged
        return told;
    }

    private bool Tell(AlertDefinition alert, ProjectedEvent e, IReadOnlyList<Silence> silences, DateTimeOffset now)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["action"] = e.Action };
        if (e.Source is { } source)
        {
            labels["source"] = source;
        }
        if (silences.Any(s => s.Matches(alert.Dashboard, alert.Name, labels, now)))
        {
            return true;
        }
        var content = Template.ReadableContent(e).ReplaceLineEndings(" "); // one line, whatever the event held
        if (content.Length > 200)
        {
            content = content[..199] + "…";
        }
        var summary = $"{e.Priority.ToWire()} {e.Action} on {e.Dashboard}/{e.Section}{(e.Source is null ? "" : $" from {e.Source}")}{(content.Length == 0 ? "" : $": {content}")}";
        return Send(new AlertNotice($"{alert.Dashboard}/{alert.Name}/{e.Seq}", "firing", alert.Name, alert.Dashboard, e.Section, labels, summary,
            e.Timestamp, null, UrlOf(alert.Dashboard), alert.Notify));
    }
}
