using System.Text.Json;
using Pulseboard.Projection.Caches;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// <c>stat</c>: the latest value or text. Cache: <c>{"value": any, "text": "…" (with a template), "seq": n}</c>.
/// A numeric value is a <c>/metrics</c> number; the dashboard's first stat or counter is its key figure in the overview.
/// </summary>
internal sealed class StatSection : SectionPlan, ISectionKind
{
    /// <summary>Where the value comes from; default <c>content</c>.</summary>
    public ValuePath? Value { get; init; }

    /// <summary>
    /// An optional text template shown instead of the value; when every path it reads is missing from the event, the
    /// content as readable text instead. Without one, an object value gets a readable <c>text</c> too, so a page never
    /// shows JSON.
    /// </summary>
    public Template? Text { get; init; }

    /// <inheritdoc/>
    public static string Name => "stat";

    /// <inheritdoc/>
    public static IReadOnlyList<string> Keys { get; } = ["value", "text"];

    /// <inheritdoc/>
    public override string Kind => Name;

    /// <inheritdoc/>
    internal override SectionPanel Panel => new(Value is null ? PanelShape.Note : PanelShape.Number);

    /// <summary>Reads <c>value</c> and <c>text</c>; with neither, the value is the whole content.</summary>
    public static SectionPlan Read(SectionYaml yaml)
    {
        var value = yaml.Path("value");
        var text = yaml.Template("text");
        if (value is null && text is null && yaml.Child("value") is null && yaml.Child("text") is null)
        {
            value = ValuePath.TryParse("content", out _);
        }
        return new StatSection { Id = yaml.Id, Title = yaml.Title, From = yaml.From, Value = value, Text = text };
    }

    /// <summary>The value, when it is a number.</summary>
    public static void Sample(JsonElement cached, ISampleSink samples)
    {
        if (cached.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Number)
        {
            samples.Value(value.GetDouble());
        }
    }

    /// <summary>Offers the value and text as the dashboard's key figure.</summary>
    public static void Summarize(JsonElement cached, IOverviewSink overview) =>
        overview.Key(cached.TryGetProperty("value", out var value) ? value.Clone() : null, CacheJson.Text(cached, "text"));

    /// <inheritdoc/>
    public override SectionState NewState() => new State(this);

    /// <inheritdoc/>
    internal override IEnumerable<SectionRead> Reads() =>
        (Value is null ? [] : new[] { new SectionRead(Value, ReadAs.Shown, false, $"the value the stat \"{Title}\" shows (the latest event's)") })
            .Concat(SectionRead.In(Text, $"in the text the stat \"{Title}\" shows: \"{Text?.Text}\""));

    private sealed class State(StatSection plan) : SectionState
    {
        private Value _value;
        private string? _text;
        private long _seq;

        protected override bool Reduce(ProjectedEvent e)
        {
            if (plan.Value is { } path)
            {
                _value = path.Read(e).Own(e);
            }
            if (plan.Text is { } text)
            {
                _text = text.RenderOrNull(e) ?? Template.ReadableContent(e);
            }
            _seq = e.Seq;
            return true;
        }

        protected override void WriteData(Utf8JsonWriter writer)
        {
            if (plan.Value is not null)
            {
                writer.WritePropertyName("value"u8);
                _value.WriteTo(writer);
            }
            if (plan.Text is not null)
            {
                writer.WriteString("text"u8, _text);
            }
            else if (_value.IsObject)
            {
                // Derived when written, not stored: a cache loaded from before this field existed writes it too.
                writer.WriteString("text"u8, _value.ToReadableText());
            }
            writer.WriteNumber("seq"u8, _seq);
        }

        protected internal override void LoadData(JsonElement cached)
        {
            if (cached.TryGetProperty("value", out var value) && value.ValueKind != JsonValueKind.Null)
            {
                _value = Definitions.Value.Of(value.Clone());
            }
            if (cached.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                _text = text.GetString();
            }
            _seq = cached.TryGetProperty("seq", out var seq) ? seq.GetInt64() : 0;
        }
    }
}
