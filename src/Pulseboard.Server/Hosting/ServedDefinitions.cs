using System.Collections.Concurrent;
using Pulseboard.Projection;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Server.Hosting;

/// <summary>
/// The definitions the server runs on, loaded once from <see cref="ServerOptions.DashboardsDirectory"/> when first
/// asked for, and shared: the projector folds events through them, ingest flags events no section of them takes
/// (through the projector's <see cref="SectionIndex"/>, built once here), and the schema routes describe them.
/// </summary>
/// <remarks>Immutable once loaded; thread-safe.</remarks>
internal sealed class ServedDefinitions
{
    private readonly ConcurrentDictionary<(string, string), byte[]> _schemas = new();

    public ServedDefinitions(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Set = DefinitionLoader.LoadDirectory(options.DashboardsDirectory);
        Index = new SectionIndex(Set.Dashboards);
    }

    /// <summary>The definitions, and every problem found in them.</summary>
    public DefinitionSet Set { get; }

    /// <summary>Which sections take an event: ingest asks it whether any does.</summary>
    public SectionIndex Index { get; }

    /// <summary>Whether any section of any definition takes an event: false for a stray one.</summary>
    public bool TakesAny(Event e) => Index.TakesAny(e.Dashboard, e.Section, e.Action, e.Source, e.Priority);

    /// <summary>
    /// The strict schema of a section's events as UTF-8 JSON, made once per section; null for an unknown dashboard or
    /// section, with <paramref name="problem"/> naming the ones there are.
    /// </summary>
    public byte[]? Schema(string dashboard, string section, out string? problem)
    {
        problem = null;
        if (_schemas.TryGetValue((dashboard, section), out var bytes))
        {
            return bytes;
        }
        if (SectionSchema.Find(Set, dashboard, section, out problem) is not { } found)
        {
            return null; // not remembered: the keys stay the sections there are, whatever clients ask for
        }
        return _schemas.GetOrAdd((dashboard, section), _ => SectionSchema.ToUtf8(SectionSchema.For(found.Dashboard, found.Section)));
    }
}
