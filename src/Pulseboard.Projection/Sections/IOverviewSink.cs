using System.Text.Json;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// Where a section's part of its dashboard's overview line goes (<see cref="ISectionKind.Summarize"/>): the server's
/// <c>GET /api/dashboards</c> and a static export's <c>caches/index.json</c>. Times are passed on as written, not turned
/// into statuses: the page compares them with its own clock.
/// </summary>
internal interface IOverviewSink
{
    /// <summary>Offers the section's value (null when it has none) and text as the dashboard's key figure; the first offered is kept.</summary>
    void Key(JsonElement? value, string? text);

    /// <summary>A heartbeat section: its interval and grace in seconds, and each source's key and last-seen time.</summary>
    void Heartbeats(long every, long grace, IReadOnlyList<(string Key, string Last)> sources);

    /// <summary>A critical item: its time (and as written), its seq (newest first among equal times) and its text.</summary>
    void Critical(DateTimeOffset at, string atText, long seq, string text);
}
