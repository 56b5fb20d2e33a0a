using System.Buffers;
using System.Text.Json;
using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Projection.Caches;

/// <summary>
/// One dashboard's materialized state while the projector runs: the plan, each section's state, and the position
/// of the last event applied. Serializes to the self-describing cache of DESIGN.md.
/// </summary>
/// <remarks>
/// Cache shape: <c>{"dashboard", "title", "lastUpdate", "position", "generated", "refresh", "staleAfter", "order"?,
/// "definitionHash", "sections": {"&lt;id&gt;": {"kind", "title", "from", "updated", ...}}}</c>. Every field but
/// <c>generated</c> (the wall-clock time of the write) is a function of the definition and the log, so a replay
/// writes the same bytes.
/// </remarks>
internal sealed class DashboardCache
{
    private readonly SectionState[] _states;
    private ProjectedEvent? _lastApplied;
    private DateTimeOffset? _lastUpdate;

    private DashboardCache(DashboardDefinition definition, SectionState[] states, long position, DateTimeOffset? lastUpdate)
    {
        Definition = definition;
        _states = states;
        Position = position;
        _lastUpdate = lastUpdate;
    }

    public DashboardDefinition Definition { get; }

    /// <summary>The seq of the last event applied; 0 before any.</summary>
    public long Position { get; private set; }

    /// <summary>When the log received the last event applied.</summary>
    /// <remarks>
    /// Read from the last event applied when asked (when the cache is written), not from every event: most events'
    /// receipt times are never needed. Keeping that event keeps its read buffer (64 KB at most) alive until the next.
    /// </remarks>
    public DateTimeOffset? LastUpdate => _lastApplied is { } last ? last.Received : _lastUpdate;

    /// <summary>Loaded from a file the current format would write differently: it is written again, unchanged in content.</summary>
    public bool Outdated { get; private set; }

    /// <summary>Changed since the last write.</summary>
    public bool Dirty { get; set; }

    /// <summary>
    /// The next seq this cache must consider. Every event before it was either applied (at or before
    /// <see cref="Position"/>) or did not match, so a crash that loses <see cref="Next"/> only costs re-reading
    /// events that change nothing: matching is a pure function of the event.
    /// </summary>
    public long Next { get; set; } = 1;

    public static DashboardCache Empty(DashboardDefinition definition) =>
        new(definition, definition.Sections.Select(s => s.NewState()).ToArray(), 0, null) { Dirty = true };

    /// <summary>Loads a cache written for this very definition (same hash); null when there is none or it was built from another.</summary>
    public static DashboardCache? TryLoad(DashboardDefinition definition, string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            var bytes = File.ReadAllBytes(path);
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (!root.TryGetProperty("definitionHash", out var hash) || hash.GetString() != definition.Hash)
            {
                return null;
            }
            var sections = root.GetProperty("sections");
            var states = definition.Sections.Select(s => s.Load(sections.GetProperty(s.Id))).ToArray();
            var lastUpdate = root.GetProperty("lastUpdate") is { ValueKind: JsonValueKind.String } u ? u.GetDateTimeOffset() : (DateTimeOffset?)null;
            var cache = new DashboardCache(definition, states, root.GetProperty("position").GetInt64(), lastUpdate);
            // A cache written by an older projector (a field added since, like a section's "from") is written again
            // at once, in the current format: a dashboard that receives no event would otherwise keep the old one.
            var generated = root.TryGetProperty("generated", out var g) && g.TryGetDateTimeOffset(out var t) ? t : default;
            cache.Outdated = !cache.Serialize(generated).AsSpan().SequenceEqual(bytes);
            return cache;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null; // unreadable: rebuilt from the log
        }
    }

    /// <summary>Applies an event to section <paramref name="section"/> if it takes it; true when it did.</summary>
    /// <remarks>Call <see cref="Applied"/> once per event after its sections, when any took it.</remarks>
    /// <param name="section">The section's index.</param>
    /// <param name="e">The event.</param>
    /// <param name="certain">The caller knows the section takes it (its route said so): the matchers are not asked.</param>
    public bool ApplyTo(int section, ProjectedEvent e, bool certain = false)
    {
        if (!certain && !Definition.Sections[section].Takes(e))
        {
            return false;
        }
        _states[section].Apply(e);
        return true;
    }

    /// <summary>Records that <paramref name="e"/> was applied: the cache's position moves to it.</summary>
    public void Applied(ProjectedEvent e)
    {
        Position = e.Seq;
        _lastApplied = e;
        Dirty = true;
    }

    public byte[] Serialize(DateTimeOffset generated)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var d = Definition;
            writer.WriteStartObject();
            writer.WriteString("dashboard"u8, d.Id);
            writer.WriteString("title"u8, d.Title);
            EventJson.WriteTimeOrNull(writer, "lastUpdate"u8, LastUpdate);
            writer.WriteNumber("position"u8, Position);
            EventJson.WriteTime(writer, "generated"u8, generated);
            writer.WriteNumber("refresh"u8, (long)d.Refresh.TotalSeconds);
            if (d.StaleAfter is { } stale)
            {
                writer.WriteNumber("staleAfter"u8, (long)stale.TotalSeconds);
            }
            else
            {
                writer.WriteNull("staleAfter"u8);
            }
            if (d.Order is { } order)
            {
                writer.WriteNumber("order"u8, order);
            }
            writer.WriteString("definitionHash"u8, d.Hash);
            writer.WriteStartObject("sections"u8);
            for (var i = 0; i < d.Sections.Count; i++)
            {
                writer.WritePropertyName(d.Sections[i].Id);
                _states[i].Write(writer, d.Sections[i]);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
