using BenchmarkDotNet.Attributes;

namespace Pulseboard.Benchmarks.Micro;

/// <summary>The wire format both ways, for an event of about 300 bytes.</summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class SerializeBenchmarks
{
    private readonly List<EventError> _errors = [];
    private Event _event = null!;
    private byte[] _utf8 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _event = SampleEvents.Create(7);
        _utf8 = EventJson.ToUtf8(_event);
        Console.WriteLine($"// event: {_utf8.Length} bytes of JSON");
    }

    [Benchmark]
    public Event? Parse()
    {
        _errors.Clear();
        return EventJson.Parse(_utf8, _errors);
    }

    [Benchmark]
    public byte[] ToUtf8() => EventJson.ToUtf8(_event);
}
