using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Pulseboard.Server.Metrics;

/// <summary>
/// The server's own health, instrumented with <see cref="System.Diagnostics.Metrics"/> (so any listener, OpenTelemetry
/// included, can take it) and aggregated here by a <see cref="MeterListener"/> for <c>/metrics</c>.
/// </summary>
/// <remarks>One meter per server instance, so two servers in one process never mix their numbers. Thread-safe.</remarks>
internal sealed class ServerMetrics : IDisposable
{
    private static readonly double[] s_secondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
    private static readonly double[] s_batchBuckets = [1, 10, 100, 1_000, 10_000, 100_000];
    private readonly Meter _meter = new("Pulseboard.Server", "1.0");
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Tag), double> _sums = new();
    private readonly ConcurrentDictionary<string, Histogram> _histograms = new();
    private readonly ConcurrentDictionary<string, byte> _dashboards = new(StringComparer.Ordinal);

    public ServerMetrics()
    {
        Appended = _meter.CreateCounter<long>("pulseboard_events_appended", "events", "Events stored (a repeated id is not stored again), by dashboard");
        Rejected = _meter.CreateCounter<long>("pulseboard_events_rejected", "events", "Events refused, by the field at fault");
        Unmatched = _meter.CreateCounter<long>("pulseboard_events_unmatched", "events", "Events stored that no section of any definition takes, by dashboard");
        AppendSeconds = _meter.CreateHistogram<double>("pulseboard_append_duration_seconds", "s", "Time to store one request's events");
        BatchSize = _meter.CreateHistogram<long>("pulseboard_append_batch_events", "events", "Events per request");
        SseClients = _meter.CreateUpDownCounter<long>("pulseboard_sse_clients", "clients", "Server-Sent Events streams open");
        CycleSeconds = _meter.CreateHistogram<double>("pulseboard_projection_cycle_seconds", "s", "Time of one projection cycle");
        _histograms["pulseboard_projection_cycle_seconds"] = new Histogram(s_secondsBuckets);
        _histograms["pulseboard_append_duration_seconds"] = new Histogram(s_secondsBuckets);
        _histograms["pulseboard_append_batch_events"] = new Histogram(s_batchBuckets);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.Start();
    }

    public Counter<long> Appended { get; }

    public Counter<long> Rejected { get; }

    /// <summary>Stray events: stored, but no section of any definition takes them. Counted by <see cref="CountAppended"/>.</summary>
    public Counter<long> Unmatched { get; }

    public Histogram<double> AppendSeconds { get; }

    public Histogram<long> BatchSize { get; }

    public UpDownCounter<long> SseClients { get; }

    public Histogram<double> CycleSeconds { get; }

    /// <summary>The total of dropped events each client last reported (<c>Pulseboard-Client-Dropped</c>), at most 1,000 clients.</summary>
    public ConcurrentDictionary<string, long> ClientDrops { get; } = new(StringComparer.Ordinal);

    public void ReportClientDrops(string client, long total)
    {
        if (ClientDrops.Count < 1_000 || ClientDrops.ContainsKey(client))
        {
            ClientDrops[client] = total;
        }
    }

    /// <summary>
    /// Counts what one append stored, whichever way it came (<c>POST /api/events</c>, the compatible endpoints, MCP):
    /// the events stored now (not a duplicate of an id stored before, not rejected) by dashboard, and those of them no
    /// section takes (<paramref name="takesAny"/> false) as stray.
    /// </summary>
    public void CountAppended(IReadOnlyList<Event> events, IReadOnlyList<AppendOutcome> outcomes, Func<Event, bool> takesAny)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(takesAny);
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (!outcomes[i].Stored || outcomes[i].Duplicate || outcomes[i].Spooled)
            {
                continue;
            }
            var e = events[i];
            var dashboard = new KeyValuePair<string, object?>("dashboard", Label(e.Dashboard));
            Appended.Add(1, dashboard);
            if (!takesAny(e))
            {
                Unmatched.Add(1, dashboard);
            }
        }
    }

    /// <summary>
    /// A dashboard as a label value. Events name whatever dashboard agents wrote (typos, mostly), so at most
    /// <see cref="MaxDashboardLabels"/> get a series of their own; the rest count under <c>dashboard="_other"</c>.
    /// </summary>
    private string Label(string dashboard) =>
        _dashboards.ContainsKey(dashboard) || (_dashboards.Count < MaxDashboardLabels && _dashboards.TryAdd(dashboard, 0)) ? dashboard : "_other";

    /// <summary>The most dashboards <c>pulseboard_events_appended_total</c> and <c>pulseboard_events_unmatched_total</c> have a series for.</summary>
    public const int MaxDashboardLabels = 1_000;

    private void Record(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_histograms.TryGetValue(name, out var histogram))
        {
            histogram.Observe(value);
            return;
        }
        var tag = tags.Length > 0 ? $"{tags[0].Key}={tags[0].Value}" : "";
        _sums.AddOrUpdate((name, tag), value, (_, sum) => sum + value);
    }

    /// <summary>The sums of a counter, by its one tag (<c>key=value</c>, or "" when untagged).</summary>
    public IEnumerable<(string Tag, double Sum)> Sums(string name) =>
        _sums.Where(s => s.Key.Name == name).Select(s => (s.Key.Tag, s.Value)).OrderBy(s => s.Tag, StringComparer.Ordinal);

    public Histogram HistogramOf(string name) => _histograms[name];

    public void Dispose()
    {
        _listener.Dispose();
        _meter.Dispose();
    }

    /// <summary>Cumulative bucket counts, a sum and a count, as Prometheus histograms want them.</summary>
    internal sealed class Histogram(double[] bounds)
    {
        private readonly long[] _counts = new long[bounds.Length + 1];
        private readonly Lock _gate = new();
        private double _sum;
        private long _count;

        public void Observe(double value)
        {
            var bucket = Array.FindIndex(bounds, b => value <= b);
            lock (_gate)
            {
                _counts[bucket < 0 ? bounds.Length : bucket]++;
                _sum += value;
                _count++;
            }
        }

        public (IReadOnlyList<(double Le, long Count)> Buckets, double Sum, long Count) Snapshot()
        {
            lock (_gate)
            {
                var buckets = new List<(double, long)>(bounds.Length + 1);
                long running = 0;
                for (var i = 0; i < bounds.Length; i++)
                {
                    running += _counts[i];
                    buckets.Add((bounds[i], running));
                }
                buckets.Add((double.PositiveInfinity, running + _counts[^1]));
                return (buckets, _sum, _count);
            }
        }
    }
}
