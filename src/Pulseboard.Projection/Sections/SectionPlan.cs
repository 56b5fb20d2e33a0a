using System.Text.Json;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// One section of a compiled definition: its kind's reducer, its title, and which events feed it. Immutable.
/// </summary>
internal abstract class SectionPlan
{
    /// <summary>The section's id (its key under <c>sections:</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The title shown on the page.</summary>
    public required string Title { get; init; }

    /// <summary>Which events feed it; any match is enough.</summary>
    public required IReadOnlyList<Matcher> From
    {
        get => _from;
        init
        {
            _from = [.. value];
            FromText = string.Join(" or ", _from.Select(m => m.ToWords()));
        }
    }

    private readonly Matcher[] _from = [];

    /// <summary>
    /// <see cref="From"/> in words, written as the section's <c>from</c> in the cache: a page says "waiting for
    /// events to costs/spend" for a section that never received one. Computed once, with the plan.
    /// </summary>
    public string FromText { get; private init; } = "";

    /// <summary>The kind's name as written in a cache: <c>stat</c>, <c>counter</c>, … (<see cref="ISectionKind.Name"/>).</summary>
    public abstract string Kind { get; }

    /// <summary>What the section becomes on a Grafana dashboard; a note (text, not a number) unless its kind says otherwise.</summary>
    internal virtual SectionPanel Panel => new(PanelShape.Note);

    /// <summary>Whether <paramref name="e"/> feeds this section.</summary>
    public bool Takes(ProjectedEvent e)
    {
        foreach (var matcher in _from)
        {
            if (matcher.IsMatch(e))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>An empty state.</summary>
    public abstract SectionState NewState();

    /// <summary>
    /// The values this section reads from an event, each with how it uses it: what <see cref="SectionSchema"/> types
    /// the events it takes from. Every path the kind reads must be here, or its schema forbids what it needs.
    /// </summary>
    internal abstract IEnumerable<SectionRead> Reads();

    /// <summary>A state loaded from the section's object in a cache this plan wrote.</summary>
    public SectionState Load(JsonElement cached)
    {
        var state = NewState();
        if (cached.TryGetProperty("updated", out var updated) && updated.ValueKind == JsonValueKind.String)
        {
            state.Updated = updated.GetDateTimeOffset();
        }
        if (cached.TryGetProperty("skipped", out var skipped))
        {
            state.Skipped = skipped.GetInt64();
        }
        state.LoadData(cached);
        return state;
    }
}

/// <summary>
/// A section's materialized data: changed only by <see cref="Apply"/>, a deterministic function of the state and the
/// event, so a replay gives the same cache, byte for byte. Owned by one projector thread.
/// </summary>
internal abstract class SectionState
{
    /// <summary>When the last event applied happened (its timestamp).</summary>
    public DateTimeOffset? Updated { get; internal set; }

    /// <summary>Events a numeric reducer skipped because the value was missing or not a number.</summary>
    public long Skipped { get; internal set; }

    /// <summary>Applies one event the section takes.</summary>
    public void Apply(ProjectedEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (Reduce(e))
        {
            Updated = Updated is { } u && u > e.Timestamp ? u : e.Timestamp;
        }
        else
        {
            Skipped++;
        }
    }

    /// <summary>Folds the event in; false when it was skipped (a numeric value missing).</summary>
    protected abstract bool Reduce(ProjectedEvent e);

    /// <summary>Writes the section's object in the cache: the common fields, then the kind's data.</summary>
    public void Write(Utf8JsonWriter writer, SectionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(plan);
        writer.WriteStartObject();
        writer.WriteString("kind"u8, plan.Kind);
        writer.WriteString("title"u8, plan.Title);
        writer.WriteString("from"u8, plan.FromText);
        EventJson.WriteTimeOrNull(writer, "updated"u8, Updated);
        if (Skipped > 0)
        {
            writer.WriteNumber("skipped"u8, Skipped);
        }
        WriteData(writer);
        writer.WriteEndObject();
    }

    /// <summary>Writes the kind's own fields.</summary>
    protected abstract void WriteData(Utf8JsonWriter writer);

    /// <summary>Reads the kind's own fields back from a cache.</summary>
    protected internal abstract void LoadData(JsonElement cached);

    /// <summary>Writes a time as the cache does everywhere.</summary>
    protected static void WriteTime(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset time) =>
        EventJson.WriteTime(writer, name, time);
}
