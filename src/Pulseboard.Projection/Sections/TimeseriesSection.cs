using System.Text.Json;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>How a <see cref="TimeseriesSection"/> folds the values falling into one bucket.</summary>
internal enum Aggregate
{
    /// <summary>The last value applied.</summary>
    Last,

    /// <summary>The sum.</summary>
    Sum,

    /// <summary>The mean.</summary>
    Avg,

    /// <summary>The smallest.</summary>
    Min,

    /// <summary>The largest.</summary>
    Max,

    /// <summary>How many events.</summary>
    Count,
}

/// <summary>
/// <c>timeseries</c>: values bucketed by event time, folded by <see cref="Agg"/>, kept for <see cref="Window"/>
/// behind the newest bucket (not the wall clock, so a replay gives the same series). Cache:
/// <c>{"bucket": s, "window": s, "agg": "last", "points": [[t, v, n]…]}</c>, <c>t</c> the bucket's start in Unix
/// seconds, <c>n</c> the events in it; oldest first. The newest bucket's value is its <c>/metrics</c> number.
/// </summary>
internal sealed class TimeseriesSection : SectionPlan, ISectionKind
{
    private static readonly string[] s_aggregates = ["last", "sum", "avg", "min", "max", "count"];

    /// <summary>The value; not needed for <see cref="Aggregate.Count"/>.</summary>
    public ValuePath? Value { get; init; }

    /// <summary>The bucket width; default 1 hour.</summary>
    public TimeSpan Bucket { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How far back points are kept; default 24 hours.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The fold; default <see cref="Aggregate.Last"/>.</summary>
    public Aggregate Agg { get; init; } = Aggregate.Last;

    /// <inheritdoc/>
    public static string Name => "timeseries";

    /// <inheritdoc/>
    public static IReadOnlyList<string> Keys { get; } = ["value", "bucket", "window", "agg"];

    /// <inheritdoc/>
    public override string Kind => Name;

    /// <inheritdoc/>
    internal override SectionPanel Panel => new(PanelShape.Series);

    /// <summary>Reads <c>agg</c>, <c>value</c> (required but for <c>agg: count</c>), <c>bucket</c> and <c>window</c>.</summary>
    public static SectionPlan? Read(SectionYaml yaml)
    {
        var aggText = yaml.Text("agg") ?? "last";
        Aggregate? agg = null;
        if (s_aggregates.Contains(aggText))
        {
            agg = Enum.Parse<Aggregate>(aggText, ignoreCase: true);
        }
        else
        {
            // Not returned at once: the other fields are still checked, so every problem is reported together.
            yaml.Error(yaml.Child("agg")!.Start.Line, "agg", $"\"{aggText}\" is not one of {string.Join(", ", s_aggregates)}");
        }
        var value = yaml.Path("value");
        if (agg is { } a && a != Aggregate.Count && yaml.Child("value") is null)
        {
            yaml.Error(yaml.Node.Start.Line, "value", $"is required for agg: {aggText}: the path of the number, e.g. content.current (only agg: count needs none)");
        }
        var bucket = yaml.Duration("bucket") ?? TimeSpan.FromHours(1);
        var window = yaml.Duration("window") ?? TimeSpan.FromHours(24);
        if (bucket < TimeSpan.FromSeconds(1) || window < bucket || window / bucket > 1000)
        {
            yaml.Error(yaml.Child("window")?.Start.Line ?? yaml.Node.Start.Line, "window", "must hold 1 to 1000 buckets of at least 1s: widen bucket or narrow window");
        }
        return agg is null ? null : new TimeseriesSection { Id = yaml.Id, Title = yaml.Title, From = yaml.From, Value = value, Bucket = bucket, Window = window, Agg = agg.Value };
    }

    /// <summary>The newest bucket's value, once there is a bucket.</summary>
    public static void Sample(JsonElement cached, ISampleSink samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var points = cached.GetProperty("points");
        if (points.GetArrayLength() > 0)
        {
            samples.Value(points[points.GetArrayLength() - 1][1].GetDouble());
        }
    }

    /// <inheritdoc/>
    public override SectionState NewState() => new State(this);

    /// <inheritdoc/>
    internal override IEnumerable<SectionRead> Reads() =>
        Value is null || Agg == Aggregate.Count ? [] :
        [new SectionRead(Value, ReadAs.Number, true, $"plotted in \"{Title}\" ({Agg.ToString().ToLowerInvariant()} per {Durations.ToText(Bucket)})")];

    private sealed class State(TimeseriesSection plan) : SectionState
    {
        // A sorted list, not a tree: buckets arrive in order, so a new one goes at the end and the oldest leaves from
        // the front, neither walking a tree nor allocating an enumerator to find the first (a few hundred at most).
        private readonly SortedList<long, Point> _points = [];
        private long _newest = long.MinValue;
        private long _lastBucket = long.MinValue;
        private Point? _last; // the bucket the last event fell in: events mostly arrive in order, so the next one does too

        private long BucketSeconds => (long)plan.Bucket.TotalSeconds;

        protected override bool Reduce(ProjectedEvent e)
        {
            var x = 1d;
            if (plan.Agg != Aggregate.Count && (plan.Value is null || !plan.Value.Read(e).TryGetNumber(out x)))
            {
                return false;
            }
            var t = Math.DivRem(e.Timestamp.ToUnixTimeSeconds(), BucketSeconds, out var rem) * BucketSeconds - (rem < 0 ? BucketSeconds : 0);
            if (_points.Count > 0 && t <= _newest - (long)plan.Window.TotalSeconds)
            {
                return false; // older than the window already kept
            }
            // Points are changed in place: one lookup in the tree at most, none while events stay in one bucket.
            if (_last is null || t != _lastBucket)
            {
                if (!_points.TryGetValue(t, out _last))
                {
                    _points[t] = _last = new Point { Value = x };
                }
                _lastBucket = t;
            }
            var p = _last;
            p.Count++;
            p.Sum += x;
            p.Value = plan.Agg switch
            {
                Aggregate.Last => x,
                Aggregate.Sum => p.Sum,
                Aggregate.Avg => p.Sum / p.Count,
                Aggregate.Min => Math.Min(p.Value, x),
                Aggregate.Max => Math.Max(p.Value, x),
                _ => p.Count,
            };
            if (t > _newest)
            {
                _newest = t;
                var cutoff = _newest - (long)plan.Window.TotalSeconds;
                while (_points.Count > 0 && _points.Keys[0] <= cutoff)
                {
                    _points.RemoveAt(0); // never the bucket just used: it is the newest
                }
            }
            return true;
        }

        protected override void WriteData(Utf8JsonWriter writer)
        {
            writer.WriteNumber("bucket"u8, BucketSeconds);
            writer.WriteNumber("window"u8, (long)plan.Window.TotalSeconds);
            writer.WriteString("agg"u8, plan.Agg.ToString().ToLowerInvariant());
            writer.WriteStartArray("points"u8);
            foreach (var (t, point) in _points)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(t);
                writer.WriteNumberValue(point.Value);
                writer.WriteNumberValue(point.Count);
                if (plan.Agg == Aggregate.Avg)
                {
                    writer.WriteNumberValue(point.Sum); // kept so a restart continues the mean exactly
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }

        protected internal override void LoadData(JsonElement cached)
        {
            foreach (var point in cached.GetProperty("points").EnumerateArray())
            {
                var t = point[0].GetInt64();
                var value = point[1].GetDouble();
                _points[t] = new Point { Value = value, Count = point[2].GetInt64(), Sum = point.GetArrayLength() > 3 ? point[3].GetDouble() : value };
                _newest = Math.Max(_newest, t);
            }
        }

        private sealed class Point
        {
            public double Value;
            public long Count;
            public double Sum;
        }
    }
}
