using System.Text.Json;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// <c>counter</c>: a running sum of a value, or a count of events without one. Cache: <c>{"value": n, "count": n}</c>.
/// </summary>
public sealed class CounterSection : SectionPlan
{
    /// <summary>The value summed; null counts events.</summary>
    public ValuePath? Value { get; init; }

    /// <inheritdoc/>
    public override string Kind => "counter";

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
