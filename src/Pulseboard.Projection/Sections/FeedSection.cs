using System.Text.Json;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// <c>feed</c>: a newest-first list of at most <see cref="Max"/> items. With a <see cref="Key"/>, a later event with
/// the same key replaces its item (moved to the top), and an action in <see cref="RemoveOn"/> removes it.
/// Cache: <c>{"max": n, "items": [{"key"?, "text", "action", "priority", "source"?, "at", "seq"}]}</c>.
/// </summary>
public sealed class FeedSection : SectionPlan
{
    /// <summary>The most items kept; default 50.</summary>
    public int Max { get; init; } = 50;

    /// <summary>The item's key, optional.</summary>
    public ValuePath? Key { get; init; }

    /// <summary>Actions that remove the item with the event's key.</summary>
    public IReadOnlyList<string> RemoveOn { get; init; } = [];

    /// <summary>The item's text; default the content (a string as it is, anything else as JSON).</summary>
    public required Template Text { get; init; }

    /// <inheritdoc/>
    public override string Kind => "feed";

    /// <inheritdoc/>
    public override SectionState NewState() => new State(this);

    private sealed record Item(string? Key, string Text, string Action, Priority Priority, string? Source, DateTimeOffset At, long Seq);

    private sealed class State(FeedSection plan) : SectionState
    {
        private readonly List<Item> _items = []; // newest first

        protected override bool Reduce(ProjectedEvent e)
        {
            var key = plan.Key is { } path && path.Read(e) is { Exists: true } k ? k.ToText() : null;
            if (key is not null)
            {
                RemoveKey(key);
                if (plan.RemoveOn.Contains(e.Action))
                {
                    return true;
                }
            }
            _items.Insert(0, new Item(key, plan.Text.Render(e), e.Action, e.Priority, e.Source, e.Timestamp, e.Seq));
            if (_items.Count > plan.Max)
            {
                _items.RemoveRange(plan.Max, _items.Count - plan.Max);
            }
            return true;
        }

        private void RemoveKey(string key)
        {
            for (var i = 0; i < _items.Count; i++)
            {
                if (_items[i].Key == key)
                {
                    _items.RemoveAt(i); // keys are unique in the list: an upsert removed any earlier one
                    return;
                }
            }
        }

        protected override void WriteData(Utf8JsonWriter writer)
        {
            writer.WriteNumber("max"u8, plan.Max);
            writer.WriteStartArray("items"u8);
            foreach (var item in _items)
            {
                writer.WriteStartObject();
                if (item.Key is not null)
                {
                    writer.WriteString("key"u8, item.Key);
                }
                writer.WriteString("text"u8, item.Text);
                writer.WriteString("action"u8, item.Action);
                writer.WriteString("priority"u8, item.Priority.ToWire());
                if (item.Source is not null)
                {
                    writer.WriteString("source"u8, item.Source);
                }
                WriteTime(writer, "at"u8, item.At);
                writer.WriteNumber("seq"u8, item.Seq);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }

        protected internal override void LoadData(JsonElement cached)
        {
            foreach (var item in cached.GetProperty("items").EnumerateArray())
            {
                _ = PriorityNames.TryParse(System.Text.Encoding.UTF8.GetBytes(item.GetProperty("priority").GetString()!), out var priority);
                _items.Add(new Item(
                    item.TryGetProperty("key", out var key) ? key.GetString() : null,
                    item.GetProperty("text").GetString()!,
                    item.GetProperty("action").GetString()!,
                    priority,
                    item.TryGetProperty("source", out var source) ? source.GetString() : null,
                    item.GetProperty("at").GetDateTimeOffset(),
                    item.GetProperty("seq").GetInt64()));
            }
        }
    }
}
