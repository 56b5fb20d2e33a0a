using System.Globalization;
using System.Text.Json;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// <c>daily</c>: a count (or the sum of a value) per calendar day in <see cref="TimeZone"/>, for the last
/// <see cref="Days"/> days up to the newest day seen. Cache: <c>{"days": n, "timezone": "UTC", "values": [["2026-11-22", v]…]}</c>, oldest first.
/// The newest day's value is its <c>/metrics</c> number while that day is today.
/// </summary>
internal sealed class DailySection : SectionPlan, ISectionKind
{
    /// <summary>The value summed; null counts events.</summary>
    public ValuePath? Value { get; init; }

    /// <summary>How many days are kept; default 30.</summary>
    public int Days { get; init; } = 30;

    /// <summary>Whose calendar; default UTC.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <inheritdoc/>
    public static string Name => "daily";

    /// <inheritdoc/>
    public static IReadOnlyList<string> Keys { get; } = ["value", "days", "timezone"];

    /// <inheritdoc/>
    public override string Kind => Name;

    /// <inheritdoc/>
    internal override SectionPanel Panel => new(PanelShape.Series);

    /// <summary>Reads <c>value</c>, <c>days</c> and <c>timezone</c> (an IANA name this machine knows).</summary>
    public static SectionPlan Read(SectionYaml yaml)
    {
        var zone = TimeZoneInfo.Utc;
        if (yaml.Text("timezone") is { } name && !TimeZoneInfo.TryFindSystemTimeZoneById(name, out zone))
        {
            yaml.Error(yaml.Child("timezone")!.Start.Line, "timezone", $"\"{name}\" is not a time zone this machine knows; write an IANA name like Europe/Berlin, or UTC");
            zone = TimeZoneInfo.Utc;
        }
        return new DailySection
        {
            Id = yaml.Id, Title = yaml.Title, From = yaml.From, Value = yaml.Path("value"),
            Days = yaml.Int("days", 1, 366) ?? 30, TimeZone = zone!,
        };
    }

    /// <summary>The newest day and its value, once there is a day.</summary>
    public static void Sample(JsonElement cached, ISampleSink samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var values = cached.GetProperty("values");
        if (values.GetArrayLength() > 0)
        {
            var last = values[values.GetArrayLength() - 1];
            samples.Day(last[0].GetString()!, last[1].GetDouble());
        }
    }

    /// <inheritdoc/>
    public override SectionState NewState() => new State(this);

    /// <inheritdoc/>
    internal override IEnumerable<SectionRead> Reads() =>
        Value is null ? [] : [new SectionRead(Value, ReadAs.Number, true, $"summed per day in \"{Title}\"")];

    private sealed class State(DailySection plan) : SectionState
    {
        private readonly SortedList<DateOnly, double> _days = []; // days arrive in order: added at the end, dropped from the front
        private DateOnly _newest = DateOnly.MinValue;

        protected override bool Reduce(ProjectedEvent e)
        {
            var add = 1d;
            if (plan.Value is { } path && !path.Read(e).TryGetNumber(out add))
            {
                return false;
            }
            // UTC, the default, needs no time zone rules: the same day as ConvertTime gives, for a fraction of its cost.
            var day = DateOnly.FromDateTime(plan.TimeZone == TimeZoneInfo.Utc ? e.Timestamp.UtcDateTime : TimeZoneInfo.ConvertTime(e.Timestamp, plan.TimeZone).DateTime);
            if (_days.Count > 0 && day <= _newest.AddDays(-plan.Days))
            {
                return false; // older than the days kept
            }
            _days[day] = _days.GetValueOrDefault(day) + add;
            if (day > _newest)
            {
                _newest = day;
                var cutoff = _newest.AddDays(-plan.Days);
                while (_days.Keys[0] <= cutoff)
                {
                    _days.RemoveAt(0);
                }
            }
            return true;
        }

        protected override void WriteData(Utf8JsonWriter writer)
        {
            writer.WriteNumber("days"u8, plan.Days);
            writer.WriteString("timezone"u8, plan.TimeZone.Id);
            writer.WriteStartArray("values"u8);
            foreach (var (day, value) in _days)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                writer.WriteNumberValue(value);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }

        protected internal override void LoadData(JsonElement cached)
        {
            foreach (var entry in cached.GetProperty("values").EnumerateArray())
            {
                var day = DateOnly.ParseExact(entry[0].GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                _days[day] = entry[1].GetDouble();
                _newest = day > _newest ? day : _newest;
            }
        }
    }
}
