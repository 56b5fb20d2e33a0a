using System.Text.Json;
using Pulseboard.Projection.Caches;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// <c>counter</c>: a running sum of a value, or a count of events without one. Cache: <c>{"value": n, "count": n}</c>.
/// Both are <c>/metrics</c> numbers; the dashboard's first stat or counter is its key figure in the overview.
/// </summary>
internal sealed class CounterSection : SectionPlan, ISectionKind
{
    /// <summary>The value summed; null counts events.</summary>
    public ValuePath? Value { get; init; }

    /// <inheritdoc/>
    public static string Name => "counter";

    /// <inheritdoc/>
    public static IReadOnlyList<string> Keys { get; } = ["value"];

    /// <inheritdoc/>
    public override string Kind => Name;

    /// <inheritdoc/>
    internal override SectionPanel Panel => new(PanelShape.Number);

    /// <summary>Reads <c>value</c>, the path summed; without it, events are counted.</summary>
    public static SectionPlan Read(SectionYaml yaml) =>
        new CounterSection { Id = yaml.Id, Title = yaml.Title, From = yaml.From, Value = yaml.Path("value") };

    /// <summary>The sum, and the events counted.</summary>
    public static void Sample(JsonElement cached, ISampleSink samples)
    {
        samples.Value(cached.GetProperty("value").GetDouble());
        samples.Count(cached.GetProperty("count").GetDouble());
    }

    /// <summary>Offers the sum as the dashboard's key figure.</summary>
    public static void Summarize(JsonElement cached, IOverviewSink overview) =>
        overview.Key(cached.TryGetProperty("value", out var value) ? value.Clone() : null, CacheJson.Text(cached, "text"));

    /// <inheritdoc/>
    public override SectionState NewState() => new State(this);

    /// <inheritdoc/>
    internal override IEnumerable<SectionRead> Reads() =>
        Value is null ? [] : [new SectionRead(Value, ReadAs.Number, true, $"added to the running sum \"{Title}\"")];

    private sealed class State(CounterSection plan) : SectionState
    {
        private double _value;
        private long _count;

        protected override bool Reduce(ProjectedEvent e)
        {
            var add = 1d;
            if (plan.Value is { } path && !path.Read(e).TryGetNumber(out add))
            {
                return false;
            }
            _value += add;
            _count++;
            return true;
        }

        protected override void WriteData(Utf8JsonWriter writer)
        {
            writer.WriteNumber("value"u8, _value);
            writer.WriteNumber("count"u8, _count);
        }

        protected internal override void LoadData(JsonElement cached)
        {
            _value = cached.GetProperty("value").GetDouble();
            _count = cached.GetProperty("count").GetInt64();
        }
    }
}
