using System.Text.Json;
using Pulseboard.Projection.Caches;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>What a heartbeat source's last-seen time says, at a given moment.</summary>
internal enum HeartbeatStatus
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
/// sorted by key; at most <see cref="MaxSources"/>, the longest silent dropped first. Each source's last-seen time is a
/// <c>/metrics</c> number, and the overview lists them.
/// </summary>
internal sealed class HeartbeatSection : SectionPlan, ISectionKind
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
    public static string Name => "heartbeat";

    /// <inheritdoc/>
    public static IReadOnlyList<string> Keys { get; } = ["every", "grace", "key", "text", "max_sources"];

    /// <inheritdoc/>
    public override string Kind => Name;

    /// <summary>Seconds since each source was last seen, with the section's late and down thresholds.</summary>
    internal override SectionPanel Panel => new(PanelShape.Staleness, LateAfter(Every, Grace), DownAfter(Every, Grace));

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

    /// <summary>Reads <c>every</c> (required, at least 1s), <c>key</c>, <c>grace</c>, <c>text</c> and <c>max_sources</c>.</summary>
    public static SectionPlan? Read(SectionYaml yaml)
    {
        var every = yaml.Duration("every");
        if (yaml.Child("every") is null)
        {
            yaml.Error(yaml.Node.Start.Line, "every", "is required: the interval each source promises, e.g. 60s");
        }
        if (every is { } e && e < TimeSpan.FromSeconds(1))
        {
            yaml.Error(yaml.Child("every")!.Start.Line, "every", "must be at least 1s");
        }
        var key = yaml.Path("key") ?? ValuePath.TryParse("source", out _)!;
        // Read every field before deciding, so each problem is reported even when the section cannot compile.
        var grace = yaml.Duration("grace");
        var text = yaml.Template("text");
        var maxSources = yaml.Int("max_sources", 1, 10_000) ?? 200;
        return every is null ? null : new HeartbeatSection
        {
            Id = yaml.Id, Title = yaml.Title, From = yaml.From, Every = every.Value, Key = key,
            Grace = grace ?? every.Value, Text = text, MaxSources = maxSources,
        };
    }

    /// <summary>When each source was last seen.</summary>
    public static void Sample(JsonElement cached, ISampleSink samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        foreach (var source in cached.GetProperty("sources").EnumerateArray())
        {
            samples.LastSeen(source.GetProperty("key").GetString()!, source.GetProperty("last").GetDateTimeOffset());
        }
    }

    /// <summary>The interval, the grace and every source's last-seen time, for the page to tell up, late and down.</summary>
    public static void Summarize(JsonElement cached, IOverviewSink overview)
    {
        ArgumentNullException.ThrowIfNull(overview);
        overview.Heartbeats(CacheJson.Number(cached, "every") ?? 0, CacheJson.Number(cached, "grace") ?? 0,
            [.. CacheJson.Items(cached, "sources").Select(source => (CacheJson.Text(source, "key") ?? "", CacheJson.Text(source, "last") ?? ""))]);
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
