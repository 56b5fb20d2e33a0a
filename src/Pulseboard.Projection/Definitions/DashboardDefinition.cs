using Pulseboard.Projection.Sections;

namespace Pulseboard.Projection.Definitions;

/// <summary>A dashboard definition (<c>dashboards/&lt;id&gt;.yaml</c>) compiled into an immutable plan.</summary>
internal sealed class DashboardDefinition
{
    /// <summary>The dashboard's id: its file name.</summary>
    public required string Id { get; init; }

    /// <summary>The title shown on the page.</summary>
    public required string Title { get; init; }

    /// <summary>How often a page without a live stream polls; default 60 s.</summary>
    public TimeSpan Refresh { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>When a page says the data stopped updating; null for never.</summary>
    public TimeSpan? StaleAfter { get; init; }

    /// <summary>Where the dashboard stands in a list of dashboards (smaller first; without one, after those with one); null when not given.</summary>
    public int? Order { get; init; }

    /// <summary>The sections, in page order.</summary>
    public required IReadOnlyList<SectionPlan> Sections { get; init; }

    /// <summary>The alerts (<c>alerts:</c>), in file order; none when absent.</summary>
    public IReadOnlyList<AlertDefinition> Alerts { get; init; } = [];

    /// <summary>
    /// The SHA-256 of the definition file's bytes, <c>sha256:…</c>: a cache built from another hash is rebuilt from the
    /// log, so any change to the file (even a comment) rebuilds that dashboard.
    /// </summary>
    public required string Hash { get; init; }

    /// <summary>The file it came from.</summary>
    public required string Path { get; init; }
}

/// <summary>One problem in a definition: where, and what to change.</summary>
/// <param name="File">The file's name, <c>costs.yaml</c>.</param>
/// <param name="Line">The 1-based line, 0 when the problem is the file as a whole.</param>
/// <param name="Field">The field's path, <c>sections.spend.agg</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
internal sealed record DefinitionError(string File, int Line, string Field, string Message)
{
    /// <summary><c>costs.yaml:14 sections.spend.agg: "median" is not one of last, sum, avg, min, max, count</c>.</summary>
    public override string ToString() =>
        $"{File}{(Line > 0 ? ":" + Line.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}{(Field.Length > 0 ? " " + Field : "")}: {Message}";
}
