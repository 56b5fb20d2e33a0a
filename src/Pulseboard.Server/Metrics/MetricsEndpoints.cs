using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pulseboard.Log;
using Pulseboard.Server.Alerts;
using Pulseboard.Server.Auth;
using Pulseboard.Server.Hosting;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server.Metrics;

/// <summary>
/// <c>GET /metrics</c>: the server's health and the dashboards' own numbers in the Prometheus text format. Every
/// numeric section becomes a series labelled by dashboard and section; heartbeat sources give
/// <c>pulseboard_heartbeat_last_seen_timestamp_seconds</c>, at most <see cref="MaxSources"/> per section.
/// </summary>
internal static class MetricsEndpoints
{
    /// <summary>Heartbeat sources exposed per section, so a runaway source name cannot explode the series.</summary>
    public const int MaxSources = 1_000;

    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", (HttpRequest request, ServerMetrics metrics, CacheStore caches, IEventLog log, ProjectorStatus projector, ServerOptions options, Tokens tokens, TimeProvider time, DeliveryCounters deliveries, AlertOutbox outbox, Alerts.AlertEngine alerts, INotifyingLease lease) =>
        {
            if (Access.Reader(request, tokens) is { } denied)
            {
                return denied;
            }
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            var text = new Exposition(buffer);
            var now = time.GetUtcNow();
            WriteHealth(text, metrics, log, projector, caches, options, now);
            WriteDeliveries(text, deliveries, outbox);
            WriteDashboards(text, caches, now);
            WriteAlerts(text, alerts.Firing);
            text.Family("pulseboard_alert_lease_held", "gauge", "1 while this node holds the alert lease, so sends alert notices (always, on the file log); 0 while another node does");
            text.Sample("pulseboard_alert_lease_held", lease.State.Held ? 1 : 0);
            return TypedResults.Bytes(buffer.WrittenMemory.ToArray(), Exposition.ContentType);
        });
        return app;
    }

    private static void WriteHealth(Exposition text, ServerMetrics metrics, IEventLog log, ProjectorStatus projector, CacheStore caches, ServerOptions options, DateTimeOffset now)
    {
        Counter(text, metrics, "pulseboard_events_appended", "Events stored, by dashboard", "dashboard");
        Counter(text, metrics, "pulseboard_events_rejected", "Events refused, by the field at fault", "reason");
        Counter(text, metrics, "pulseboard_events_unmatched", "Events stored that no section of any definition takes (a typo in dashboard, section or action?), by dashboard", "dashboard");
        Histogram(text, metrics, "pulseboard_append_duration_seconds", "Time to store one request's events");
        Histogram(text, metrics, "pulseboard_append_batch_events", "Events per request");

        text.Family("pulseboard_log_end_seq", "gauge", "The last seq the log acknowledged");
        text.Sample("pulseboard_log_end_seq", log.End);
        var events = new DirectoryInfo(Path.Combine(Path.GetFullPath(options.DataDirectory), "events"));
        var segments = events.Exists ? events.EnumerateFiles("*.jsonl").ToList() : []; // none on the JetStream log
        text.Family("pulseboard_log_segments", "gauge", "Segment files in the log");
        text.Sample("pulseboard_log_segments", segments.Count);
        text.Family("pulseboard_log_bytes", "gauge", "Bytes in the log's segments");
        text.Sample("pulseboard_log_bytes", segments.Sum(s => s.Length));
        text.Family("pulseboard_projector_lag_events", "gauge", "Events appended but not yet projected");
        text.Sample("pulseboard_projector_lag_events", Math.Max(0, log.End - projector.Position));
        text.Family("pulseboard_projector_lag_seconds", "gauge", "While events wait to be projected: seconds since the projector last finished a cycle; 0 when caught up");
        text.Sample("pulseboard_projector_lag_seconds", log.End > projector.Position ? Math.Max(0, (now - projector.LastCycle).TotalSeconds) : 0);
        Histogram(text, metrics, "pulseboard_projection_cycle_seconds", "Time of one projection cycle");
        text.Family("pulseboard_projector_cycles_total", "counter", "Projection cycles run");
        text.Sample("pulseboard_projector_cycles_total", projector.Cycles);
        text.Family("pulseboard_cache_bytes", "gauge", "Bytes of each dashboard's cache");
        foreach (var (id, cache) in caches.All)
        {
            text.Sample("pulseboard_cache_bytes", cache.Bytes.Length, ("dashboard", id));
        }
        text.Family("pulseboard_client_dropped_events", "gauge", "Events a client's SDK dropped (its queue was full), as it last reported");
        foreach (var (client, dropped) in metrics.ClientDrops.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            text.Sample("pulseboard_client_dropped_events", dropped, ("client", client));
        }
        text.Family("pulseboard_sse_clients", "gauge", "Server-Sent Events streams open");
        text.Sample("pulseboard_sse_clients", metrics.Sums("pulseboard_sse_clients").Sum(s => s.Sum));

        using var process = Process.GetCurrentProcess();
        text.Family("process_resident_memory_bytes", "gauge", "Resident memory");
        text.Sample("process_resident_memory_bytes", process.WorkingSet64);
        var gc = GC.GetGCMemoryInfo();
        text.Family("dotnet_gc_heap_size_bytes", "gauge", "The managed heap after the last garbage collection: what the server's objects hold, fragmentation included");
        text.Sample("dotnet_gc_heap_size_bytes", gc.HeapSizeBytes);
        text.Family("dotnet_gc_committed_bytes", "gauge", "Memory the garbage collector has committed from the system");
        text.Sample("dotnet_gc_committed_bytes", gc.TotalCommittedBytes);
        text.Family("process_cpu_seconds_total", "counter", "CPU time used");
        text.Sample("process_cpu_seconds_total", process.TotalProcessorTime.TotalSeconds);
        text.Family("process_start_time_seconds", "gauge", "When the process started, Unix seconds");
        text.Sample("process_start_time_seconds", new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0);
    }

    private static void WriteDeliveries(Exposition text, DeliveryCounters deliveries, AlertOutbox outbox)
    {
        text.Family("pulseboard_alert_deliveries_total", "counter", "Alert notice deliveries by notifier: attempts delivered, attempts failed (retried), deliveries given up");
        foreach (var (notifier, outcome, count) in deliveries.All())
        {
            text.Sample("pulseboard_alert_deliveries_total", count, ("notifier", notifier), ("outcome", outcome));
        }
        text.Family("pulseboard_alert_outbox_pending", "gauge", "Alert notice deliveries waiting in the outbox (to be sent, or to be retried)");
        text.Sample("pulseboard_alert_outbox_pending", outbox.PendingCount);
    }

    private static void Counter(Exposition text, ServerMetrics metrics, string name, string help, string label)
    {
        text.Family(name + "_total", "counter", help); // in text format 0.0.4 a family is named as its samples
        foreach (var (tag, sum) in metrics.Sums(name))
        {
            text.Sample(name + "_total", sum, (label, tag.Length == 0 ? "" : tag[(tag.IndexOf('=', StringComparison.Ordinal) + 1)..]));
        }
    }

    private static void Histogram(Exposition text, ServerMetrics metrics, string name, string help)
    {
        text.Family(name, "histogram", help);
        var (buckets, sum, count) = metrics.HistogramOf(name).Snapshot();
        foreach (var (le, cumulative) in buckets)
        {
            text.Sample(name + "_bucket", cumulative, ("le", double.IsPositiveInfinity(le) ? "+Inf" : le.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        }
        text.Sample(name + "_sum", sum);
        text.Sample(name + "_count", count);
    }

    /// <summary>
    /// The dashboards' numbers: stat values that are numbers, counters, the latest timeseries bucket, today's daily,
    /// heartbeats; read from each cache when it changed (<see cref="SectionSamples"/>), so a scrape parses nothing.
    /// </summary>
    private static void WriteDashboards(Exposition text, CacheStore caches, DateTimeOffset now)
    {
        var today = now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var values = new List<(string Dashboard, string Section, string Kind, double Value)>();
        var counts = new List<(string Dashboard, string Section, double Count)>();
        var beats = new List<(string Dashboard, string Section, string Source, double Last)>();
        foreach (var (id, cache) in caches.All)
        {
            var samples = cache.Samples;
            values.AddRange(samples.Values.Select(v => (id, v.Section, v.Kind, v.Value)));
            values.AddRange(samples.Days.Where(d => d.Day == today).Select(d => (id, d.Section, "daily", d.Value)));
            counts.AddRange(samples.Counts.Select(c => (id, c.Section, c.Count)));
            beats.AddRange(samples.Beats.Select(b => (id, b.Section, b.Source, b.Last)));
        }
        text.Family("pulseboard_section_value", "gauge", "A dashboard section's number: a numeric stat, a counter, the latest timeseries bucket, today's daily");
        foreach (var (dashboard, section, kind, value) in values)
        {
            text.Sample("pulseboard_section_value", value, ("dashboard", dashboard), ("section", section), ("kind", kind));
        }
        text.Family("pulseboard_section_events_total", "counter", "Events a counter section counted");
        foreach (var (dashboard, section, count) in counts)
        {
            text.Sample("pulseboard_section_events_total", count, ("dashboard", dashboard), ("section", section));
        }
        text.Family("pulseboard_heartbeat_last_seen_timestamp_seconds", "gauge", "When a heartbeat source was last seen, Unix seconds: alert on time() - this");
        foreach (var (dashboard, section, source, last) in beats)
        {
            text.Sample("pulseboard_heartbeat_last_seen_timestamp_seconds", last, ("dashboard", dashboard), ("section", section), ("source", source));
        }
    }

    /// <summary>
    /// <c>pulseboard_alert_firing</c>: 1 for each firing alert instance, labelled by alert, dashboard, section and its own
    /// labels (a heartbeat alert's source), and whether a silence covers it.
    /// </summary>
    private static void WriteAlerts(Exposition text, IReadOnlyList<Alerts.AlertView> firing)
    {
        text.Family("pulseboard_alert_firing", "gauge", "1 for each firing alert (silenced ones too, with silenced=\"true\")");
        foreach (var alert in firing)
        {
            var labels = new List<(string, string)> { ("alert", alert.Alert), ("dashboard", alert.Dashboard) };
            if (alert.Section is { } section)
            {
                labels.Add(("section", section));
            }
            labels.AddRange(alert.Labels.Where(l => l.Key is not ("alert" or "dashboard" or "section" or "silenced")).Select(l => (Exposition.Name(l.Key), l.Value)));
            labels.Add(("silenced", alert.Silenced ? "true" : "false"));
            text.Sample("pulseboard_alert_firing", 1, [.. labels]);
        }
    }
}
