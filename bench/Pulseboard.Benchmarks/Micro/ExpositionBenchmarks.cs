using System.Buffers;
using BenchmarkDotNet.Attributes;
using Prometheus;
using Pulseboard.Server.Metrics;

namespace Pulseboard.Benchmarks.Micro;

/// <summary>
/// The dashboards' part of one <c>/metrics</c> scrape, written by our exposition writer and by prometheus-net 8.2.1
/// (the mirror serves it now): 9 dashboards × 8 section values plus one heartbeat section with 1,000 sources, the
/// series a large install exposes. Both start from the same samples (what <see cref="SectionSamples"/> holds), since
/// the numbers change with every cache and a series disappears with its section: prometheus-net needs them copied into
/// its gauges before each collect, stale label sets removed, which is the cost shown.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class ExpositionBenchmarks
{
    private (string Dashboard, string Section, string Kind, double Value)[] _values = [];
    private (string Dashboard, string Section, string Source, double Last)[] _beats = [];
    private CollectorRegistry _registry = null!;
    private Gauge _value = null!;
    private Gauge _beat = null!;
    private readonly MemoryStream _stream = new(256 * 1024);

    [GlobalSetup]
    public void Setup()
    {
        _values = [.. from d in Enumerable.Range(0, 9) from s in Enumerable.Range(0, 8) select ($"dashboard-{d}", $"section-{s}", "stat", d * 10.5 + s)];
        _beats = [.. Enumerable.Range(0, 1000).Select(i => ("fleet", "models", $"model-{i}", 1_780_000_000.0 + i))];
        _registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        _value = factory.CreateGauge("pulseboard_section_value", "A dashboard section's number", "dashboard", "section", "kind");
        _beat = factory.CreateGauge("pulseboard_heartbeat_last_seen_timestamp_seconds", "When a heartbeat source was last seen", "dashboard", "section", "source");
    }

    [Benchmark(Baseline = true)]
    public int Ours()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var text = new Exposition(buffer);
        text.Family("pulseboard_section_value", "gauge", "A dashboard section's number");
        foreach (var (dashboard, section, kind, value) in _values)
        {
            text.Sample("pulseboard_section_value", value, ("dashboard", dashboard), ("section", section), ("kind", kind));
        }
        text.Family("pulseboard_heartbeat_last_seen_timestamp_seconds", "gauge", "When a heartbeat source was last seen");
        foreach (var (dashboard, section, source, last) in _beats)
        {
            text.Sample("pulseboard_heartbeat_last_seen_timestamp_seconds", last, ("dashboard", dashboard), ("section", section), ("source", source));
        }
        return buffer.WrittenCount;
    }

    [Benchmark]
    public long PrometheusNet()
    {
        // What a scrape would do: drop the series of the last scrape (a section may be gone), set today's, collect.
        foreach (var labels in _value.GetAllLabelValues().ToList())
        {
            _value.RemoveLabelled(labels);
        }
        foreach (var labels in _beat.GetAllLabelValues().ToList())
        {
            _beat.RemoveLabelled(labels);
        }
        foreach (var (dashboard, section, kind, value) in _values)
        {
            _value.WithLabels(dashboard, section, kind).Set(value);
        }
        foreach (var (dashboard, section, source, last) in _beats)
        {
            _beat.WithLabels(dashboard, section, source).Set(last);
        }
        _stream.SetLength(0);
        _registry.CollectAndExportAsTextAsync(_stream).GetAwaiter().GetResult();
        return _stream.Length;
    }
}
