using System.Text.Json;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>What a heartbeat source's last-seen time says, at a given moment.</summary>
public enum HeartbeatStatus
{
    /// <summary>Seen within <c>every + grace</c>.</summary>
    Up,

    /// <summary>Not seen for longer than <c>every + grace</c>, but within <c>3 × every + grace</c>.</summary>
    Late,

    /// <summary>Not seen for longer than <c>3 × every + grace</c>.</summary>
    Down,
}

/// <summary>
/// <c>heartbeat</c>: the last time each source (by <see cref="Key"/>, default <c>source</c>) was seen, with the
/// interval it promised. The cache holds times, not statuses, so a page and <c>/metrics</c> derive the status at any
/// moment (<see cref="StatusAt"/>). Cache: <c>{"every": s, "grace": s, "sources": [{"key", "last", "text"?, "seq"}]}</c>,
/// sorted by key; at most <see cref="MaxSources"/>, the longest silent dropped first.
/// </summary>
public sealed class HeartbeatSection : SectionPlan
{
    /// <summary>The interval each source promises.</summary>
    public required TimeSpan Every { get; init; }

    /// <summary>Slack before a source counts as late; default <see cref="Every"/>.</summary>
    public required TimeSpan Grace { get; init; }

    /// <summary>What names a source; default <c>source</c>.</summary>
    public required ValuePath Key { get; init; }

    /// <summary>An optional line of text per source (<c>"{content.tokens_per_s} tok/s"</c>); none when every path it reads is missing.</summary>
    public Template? Text { get; init; }

    /// <summary>The most sources kept; default 200.</summary>
    public int MaxSources { get; init; } = 200;

    /// <inheritdoc/>
    public override string Kind => "heartbeat";

    /// <summary>
    /// Silent longer than this, a source is late: <c>every + grace</c>. The one home of the rule in C# (docs/DEFINITIONS.md;
    /// the page's common.js <c>status</c> says the same in the browser).
    /// </summary>
    public static TimeSpan LateAfter(TimeSpan every, TimeSpan grace) => every + grace;

    /// <summary>Silent longer than this, a source is down: <c>3 × every + grace</c>.</summary>
    public static TimeSpan DownAfter(TimeSpan every, TimeSpan grace) => (3 * every) + grace;

    /// <summary>The status of a source last seen at <paramref name="last"/>, at <paramref name="now"/>.</summary>
    public static HeartbeatStatus StatusAt(DateTimeOffset last, DateTimeOffset now, TimeSpan every, TimeSpan grace)
    {
        var age = now - last;
        return age <= LateAfter(every, grace) ? HeartbeatStatus.Up : age <= DownAfter(every, grace) ? HeartbeatStatus.Late : HeartbeatStatus.Down;
    }

    /// <inheritdoc/>
    public override SectionState NewState() => new State(this);

    /// <inheritdoc/>
    internal override IEnumerable<SectionRead> Reads() =>
        SectionRead.In(Text, $"the line shown beside the source in \"{Title}\": \"{Text?.Text}\"")
            .Prepend(new SectionRead(Key, ReadAs.Key, true, $"names the source whose heartbeat \"{Title}\" shows: up when seen every {Durations.ToText(Every)}"));

    private sealed record Seen(DateTimeOffset Last, string? Text, long Seq);

    private sealed class State(HeartbeatSection plan) : SectionState
    {
        private readonly SortedDictionary<string, Seen> _sources = new(StringComparer.Ordinal);

        protected override bool Reduce(ProjectedEvent e)
        {
            var key = plan.Key.Read(e);
            if (!key.Exists)
            {
                return false;
            }
            var name = key.ToKeyText(e.Keys);
            if (_sources.TryGetValue(name, out var seen) && seen.Last > e.Timestamp)
            {
                return true; // an older beat arriving late changes nothing
            }
            _sources[name] = new Seen(e.Timestamp, plan.Text?.RenderOrNull(e), e.Seq);
            if (_sources.Count > plan.MaxSources)
            {
                _sources.Remove(_sources.MinBy(s => (s.Value.Last, s.Key)).Key);
            }
            return true;
        }

        protected override void WriteData(Utf8JsonWriter writer)
        {
            writer.WriteNumber("every"u8, (long)plan.Every.TotalSeconds);
            writer.WriteNumber("grace"u8, (long)plan.Grace.TotalSeconds);
            writer.WriteStartArray("sources"u8);
            foreach (var (key, seen) in _sources)
            {
                writer.WriteStartObject();
                writer.WriteString("key"u8, key);
                WriteTime(writer, "last"u8, seen.Last);
                if (seen.Text is not null)
                {
                    writer.WriteString("text"u8, seen.Text);
                }
                writer.WriteNumber("seq"u8, seen.Seq);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }

        protected internal override void LoadData(JsonElement cached)
        {
            foreach (var source in cached.GetProperty("sources").EnumerateArray())
            {
                _sources[source.GetProperty("key").GetString()!] = new Seen(
                    source.GetProperty("last").GetDateTimeOffset(),
                    source.TryGetProperty("text", out var text) ? text.GetString() : null,
                    source.GetProperty("seq").GetInt64());
            }
        }
    }
}
