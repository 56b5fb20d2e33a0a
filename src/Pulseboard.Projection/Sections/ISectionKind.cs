using System.Text.Json;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// What a section kind says about itself, in its own file: the plan class of each kind implements these static
/// members, so a new kind is that one file (plus a renderer function in <c>render.js</c>) and a line in
/// <see cref="SectionKinds"/>. The reducer is the plan's <see cref="SectionPlan.NewState"/>; what the kind becomes on
/// a Grafana dashboard is its <see cref="SectionPlan.Panel"/>.
/// </summary>
internal interface ISectionKind
{
    /// <summary>The kind's name, in YAML and in a cache: <c>stat</c>, <c>counter</c>, ….</summary>
    static abstract string Name { get; }

    /// <summary>The YAML keys the kind takes besides <c>kind</c>, <c>title</c> and <c>from</c>.</summary>
    static abstract IReadOnlyList<string> Keys { get; }

    /// <summary>
    /// Reads a section of this kind; null when it cannot compile. Reads every key before deciding, so that each
    /// problem is reported at once.
    /// </summary>
    static abstract SectionPlan? Read(SectionYaml yaml);

    /// <summary>
    /// The numbers <c>/metrics</c> serves for a section of this kind, read from its object in a cache; a kind of text
    /// gives none. Throws <see cref="JsonException"/>, <see cref="InvalidOperationException"/>,
    /// <see cref="KeyNotFoundException"/> or <see cref="FormatException"/> on an object of another shape.
    /// </summary>
    static abstract void Sample(JsonElement cached, ISampleSink samples);

    /// <summary>
    /// What a section of this kind adds to its dashboard's line in the overview, read from its object in a cache;
    /// nothing unless the kind says otherwise. Throws as <see cref="Sample"/> does.
    /// </summary>
    static virtual void Summarize(JsonElement cached, IOverviewSink overview)
    {
    }
}
