using System.Text.Json;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// <c>stat</c>: the latest value or text. Cache: <c>{"value": any, "text": "…" (with a template), "seq": n}</c>.
/// </summary>
public sealed class StatSection : SectionPlan
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
    public override string Kind => "stat";

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
