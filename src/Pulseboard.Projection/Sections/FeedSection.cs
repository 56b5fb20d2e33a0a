using System.Text.Json;
using Pulseboard.Projection.Caches;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// <c>feed</c>: a newest-first list of at most <see cref="Max"/> items. With a <see cref="Key"/>, a later event with
/// the same key replaces its item (moved to the top), and an action in <see cref="RemoveOn"/> removes it.
/// Cache: <c>{"max": n, "items": [{"key"?, "text", "action", "priority", "source"?, "at", "seq"}]}</c>. Text, so no
/// <c>/metrics</c> number; its critical items are listed in the overview.
/// </summary>
internal sealed class FeedSection : SectionPlan, ISectionKind
{
    /// <summary>The most items kept; default 50.</summary>
    public int Max { get; init; } = 50;

    /// <summary>The item's key, optional.</summary>
    public ValuePath? Key { get; init; }

    /// <summary>Actions that remove the item with the event's key.</summary>
    public IReadOnlyList<string> RemoveOn { get; init; } = [];

    /// <summary>
    /// The item's text; without one, or when every path it reads is missing from the event, the content as readable
    /// text (<see cref="Value.ToReadableText"/>: <c>run: r7 · status: done</c>).
    /// </summary>
    public Template? Text { get; init; }

    /// <inheritdoc/>
    public static string Name => "feed";

    /// <inheritdoc/>
    public static IReadOnlyList<string> Keys { get; } = ["max", "key", "remove_on", "text"];

    /// <inheritdoc/>
    public override string Kind => Name;

    /// <summary>Reads <c>key</c>, <c>remove_on</c> (which needs a key), <c>max</c> and <c>text</c>.</summary>
    public static SectionPlan Read(SectionYaml yaml)
    {
        var key = yaml.Path("key");
        var removeOn = yaml.RemoveOn();
        if (removeOn.Count > 0 && key is null && yaml.Child("key") is null)
        {
            yaml.Error(yaml.Child("remove_on")!.Start.Line, "remove_on", "needs key: the item removed is the one with the event's key");
        }
        return new FeedSection
        {
            Id = yaml.Id, Title = yaml.Title, From = yaml.From, Key = key, RemoveOn = removeOn,
            Max = yaml.Int("max", 1, 1000) ?? 50,
            Text = yaml.Template("text"),
        };
    }

    /// <summary>None: a feed is text.</summary>
    public static void Sample(JsonElement cached, ISampleSink samples)
    {
    }

    /// <summary>Lists the critical items.</summary>
    public static void Summarize(JsonElement cached, IOverviewSink overview)
    {
        ArgumentNullException.ThrowIfNull(overview);
        foreach (var item in CacheJson.Items(cached, "items").Where(i => CacheJson.Text(i, "priority") == "critical"))
        {
            var at = item.GetProperty("at");
            overview.Critical(at.GetDateTimeOffset(), at.GetString()!, CacheJson.Number(item, "seq") ?? 0, CacheJson.Text(item, "text") ?? "");
        }
    }

    /// <inheritdoc/>
    public override SectionState NewState() => new State(this);

    /// <inheritdoc/>
    internal override IEnumerable<SectionRead> Reads()
    {
        var reads = new List<SectionRead>();
        if (Key is not null)
        {
            reads.Add(new SectionRead(Key, ReadAs.Key, false, $"the item's key in the list \"{Title}\": a later event with the same key replaces the item"
                + (RemoveOn.Count > 0 ? $", and action {string.Join(" or ", RemoveOn)} removes it" : "")));
        }
        reads.AddRange(Text is null
            ? [new SectionRead(ValuePath.Content, ReadAs.Text, true, $"each item's text in the list \"{Title}\"")]
            : SectionRead.In(Text, $"in each item's text in the list \"{Title}\": \"{Text.Text}\""));
        return reads;
    }

    private sealed record Item(string? Key, string Text, string Action, Priority Priority, string? Source, DateTimeOffset At, long Seq);

    private sealed class State(FeedSection plan) : SectionState
    {
        private readonly RecentList<Item> _items = new(plan.Max);

        protected override bool Reduce(ProjectedEvent e)
        {
            var key = plan.Key is { } path && path.Read(e) is { Exists: true } k ? k.ToKeyText(e.Keys) : null;
            if (key is not null && plan.RemoveOn.Contains(e.Action))
            {
                _items.Remove(key);
                return true;
            }
            _items.AddNewest(key, new Item(key, plan.Text?.RenderOrNull(e) ?? Template.ReadableContent(e), e.Action, e.Priority, e.Source, e.Timestamp, e.Seq));
            return true;
        }

        protected override void WriteData(Utf8JsonWriter writer)
        {
            writer.WriteNumber("max"u8, plan.Max);
            writer.WriteStartArray("items"u8);
            foreach (var item in _items.NewestFirst)
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
                var key = item.TryGetProperty("key", out var k) ? k.GetString() : null;
                _items.AddOldest(key, new Item(
                    key,
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
