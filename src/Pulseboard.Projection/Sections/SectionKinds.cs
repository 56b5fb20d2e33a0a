using System.Collections.Frozen;
using System.Text.Json;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>One section kind as a value, taken from its plan class (<see cref="ISectionKind"/>) to be looked up by name.</summary>
/// <param name="Name">The kind's name.</param>
/// <param name="Plan">The plan class.</param>
/// <param name="Keys">The YAML keys it takes besides <c>kind</c>, <c>title</c> and <c>from</c>.</param>
/// <param name="Read">Reads a section of this kind from YAML.</param>
/// <param name="Sample">Its numbers for <c>/metrics</c>, from its object in a cache.</param>
/// <param name="Summarize">Its part of the dashboard overview, from its object in a cache.</param>
internal sealed record SectionKind(
    string Name,
    Type Plan,
    IReadOnlyList<string> Keys,
    Func<SectionYaml, SectionPlan?> Read,
    Action<JsonElement, ISampleSink> Sample,
    Action<JsonElement, IOverviewSink> Summarize)
{
    /// <summary>The kind that <typeparamref name="T"/> says it is.</summary>
    public static SectionKind Of<T>() where T : SectionPlan, ISectionKind =>
        new(T.Name, typeof(T), T.Keys, T.Read, T.Sample, T.Summarize);
}

/// <summary>
/// Every section kind, in the order messages list them: the one place the loader, <c>/metrics</c> and the overview
/// find a kind by its name. A name not here is no kind at all (an error for a definition, skipped in a cache).
/// </summary>
internal static class SectionKinds
{
    /// <summary>The kinds.</summary>
    public static IReadOnlyList<SectionKind> All { get; } =
    [
        SectionKind.Of<StatSection>(),
        SectionKind.Of<CounterSection>(),
        SectionKind.Of<FeedSection>(),
        SectionKind.Of<TableSection>(),
        SectionKind.Of<TimeseriesSection>(),
        SectionKind.Of<DailySection>(),
        SectionKind.Of<HeartbeatSection>(),
    ];

    private static readonly FrozenDictionary<string, SectionKind> s_byName = All.ToFrozenDictionary(k => k.Name, StringComparer.Ordinal);

    /// <summary>The names, as a message lists them: <c>stat, counter, …</c>.</summary>
    public static string Names { get; } = string.Join(", ", All.Select(k => k.Name));

    /// <summary>The kind named <paramref name="name"/>; null for none.</summary>
    public static SectionKind? Find(string? name) => name is not null && s_byName.TryGetValue(name, out var kind) ? kind : null;
}
